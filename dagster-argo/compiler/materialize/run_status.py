"""`python -m compiler run-status-sensor`: the pod of a Workflow's exit handler (`spec.onExit`) evaluating one
alert-only `run_status_sensor` / `run_failure_sensor` once, for the run that just ended.

Dagster's daemon evaluates such a sensor after a monitored run's RUN_SUCCESS / RUN_FAILURE event lands in the
instance; a compiled Workflow reports its outcome to Argo, whose exit handler runs after the DAG whatever its
outcome (compiler/builder/exit_handlers.py puts one task per sensor and monitored job there, its `when` reading
`{{workflow.status}}` and `{{workflow.mainEntrypoint}}`). This pod builds the context Dagster would pass
(`build_run_status_sensor_context`): a DagsterRun of the job named after the Workflow, with the run's status, and
the RUN_SUCCESS or RUN_FAILURE event. A body that requests runs is not alert-only: the compiler refuses it, and if
one returns a RunRequest here anyway the pod fails (exit 2) rather than drop it silently.
"""

import argparse
import contextlib
import sys
import traceback

import dagster as dg
from dagster._core.events import DagsterEvent, DagsterEventType, JobFailureData

from compiler import exit_codes
from compiler.code_location import add_target_arguments
from compiler.exit_codes import EXIT_CODES_HELP
from compiler.help_format import add_command
from compiler.materialize.loading import MaterializeUsageError, load_definitions, pod_location
from compiler.user_text import shortened

CAUSE_CHARACTERS = 400  # the body's error, one readable line

# Argo's workflow phases (`{{workflow.status}}` in an exit handler) → Dagster's run status and event.
FAILED_PHASES = ("Failed", "Error")
SUCCEEDED_PHASE = "Succeeded"

DESCRIPTION = (
    "Evaluate one Dagster run_status_sensor / run_failure_sensor for the run this Workflow was, once. Run by the "
    "compiled exit handler (spec.onExit) after the DAG ends; the sensor's body alerts, it requests nothing."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser, required_hint="; this or --python-file is required")
    parser.add_argument("--sensor", required=True, help="the Dagster run status sensor's name")
    parser.add_argument("--job", required=True, help="the Dagster job the Workflow ran")
    parser.add_argument("--status", required=True, help="the Workflow's phase: Succeeded, Failed or Error")
    parser.add_argument("--run-id", required=True, help="the Workflow's name: the run's id in the sensor's context")


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Hook for `python -m compiler run-status-sensor` (compiler/cli.py lists it in SUBCOMMANDS)."""
    parser = add_command(
        subparsers,
        "run-status-sensor",
        help="evaluate a run status sensor once for the Workflow that just ended (its exit handler's pod)",
        description=DESCRIPTION,
        epilog=EXIT_CODES_HELP,
        handler=run,
    )
    add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    with contextlib.redirect_stderr(sys.stdout):
        try:
            defs = load_definitions(pod_location(args))
            sensor = _sensor(defs, args.sensor)
            context = status_context(sensor, args.job, args.status, args.run_id)
        except MaterializeUsageError as error:
            print(f"run-status-sensor: error: {error}", flush=True)
            return exit_codes.USAGE
        try:
            result = sensor(context)
        except Exception as error:  # the body's own failure: one line (the traceback with --debug), exit 1
            if getattr(args, "debug", False):
                traceback.print_exc(file=sys.stdout)
            cause = shortened(" ".join(f"{type(error).__name__}: {error}".split()), limit=CAUSE_CHARACTERS)
            print(f"run-status-sensor: FAILED sensor {sensor.name} for job {args.job}: {cause}", flush=True)
            return exit_codes.FAILED
        requested = [item for item in as_list(result) if isinstance(item, dg.RunRequest | dg.SensorResult)]
        if requested:
            print(
                f"run-status-sensor: error: sensor {sensor.name} requested runs; compiled run status sensors only "
                "alert (see compiler/README.md)",
                flush=True,
            )
            return exit_codes.USAGE
        print(f"run-status-sensor: {sensor.name} evaluated for job {args.job} ({args.status})", flush=True)
        return 0


def _sensor(defs: dg.Definitions, name: str) -> dg.RunStatusSensorDefinition:
    for sensor in defs.sensors or []:
        if sensor.name == name and isinstance(sensor, dg.RunStatusSensorDefinition):
            return sensor
    raise MaterializeUsageError(f"no run status sensor named {name!r} in the definitions; rebuild the manifests")


def status_context(
    sensor: dg.RunStatusSensorDefinition, job: str, phase: str, run_id: str
) -> dg.RunStatusSensorContext:
    """The context Dagster's daemon would build for the run's final event (an approximation: see the module); also
    what a run-requesting sensor's body sees (compiler/materialize/run_request.py)."""
    if phase == SUCCEEDED_PHASE:
        status, event_type, data = dg.DagsterRunStatus.SUCCESS, DagsterEventType.RUN_SUCCESS, None
        message = f'Finished execution of run for "{job}".'
    elif phase in FAILED_PHASES:
        status, event_type = dg.DagsterRunStatus.FAILURE, DagsterEventType.RUN_FAILURE
        data = JobFailureData(error=None)
        message = f'Execution of run for "{job}" failed (Argo Workflow {run_id}: {phase}).'
    else:
        raise MaterializeUsageError(f"--status {phase!r}: expected {SUCCEEDED_PHASE}, {' or '.join(FAILED_PHASES)}")
    instance = dg.DagsterInstance.ephemeral()
    dagster_run = dg.DagsterRun(job_name=job, run_id=run_id, status=status)
    event = DagsterEvent(event_type_value=event_type.value, job_name=job, message=message, event_specific_data=data)
    return dg.build_run_status_sensor_context(
        sensor_name=sensor.name, dagster_event=event, dagster_instance=instance, dagster_run=dagster_run
    )


def as_list(result: object) -> list[object]:
    """The body's items: one returned value, or what a list or generator holds. RunRequest and SkipReason are
    NamedTuples, so they are items before anything is iterated (else a RunRequest would read as its fields)."""
    if result is None:
        return []
    if isinstance(result, dg.RunRequest | dg.SkipReason | dg.SensorResult):
        return [result]
    if isinstance(result, list | tuple):
        return list(result)
    if hasattr(result, "__iter__") and not isinstance(result, str | bytes):
        return list(result)
    return [result]
