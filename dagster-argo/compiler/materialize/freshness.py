"""`python -m compiler freshness-checks`: the pod a freshness-check sensor's CronWorkflow runs (builder/freshness.py).

Dagster's `build_sensor_for_freshness_checks` sensor reads the instance to launch only the checks whose answer could
have changed (never evaluated; passed but past their `dagster/fresh_until_timestamp`; failed, with a newer
materialization since). This pod evaluates that very sensor against the shared instance, so the checks it runs are
the ones Dagster's daemon would launch at this moment, then runs them in one Dagster run recorded in the same
instance, tagged as the sensor's run (`dagster/sensor_name`, plus the sensor's own run tags), so the next tick sees
them as Dagster's next tick would. A SkipReason runs nothing.

Without the shared instance the pod cannot know when an asset was materialized: `build` refuses the sensor, and the
pod refuses too (exit 2) should it run with an ephemeral instance.
"""

import argparse
import contextlib
import sys
import traceback
from collections.abc import Sequence

import dagster as dg
from dagster._core.storage.tags import SENSOR_NAME_TAG

from compiler import exit_codes
from compiler.code_location import add_target_arguments
from compiler.exit_codes import EXIT_CODES_HELP
from compiler.help_format import add_command
from compiler.materialize.instance import InstanceUnavailableError, open_instance, wants_shared_instance
from compiler.materialize.loading import MaterializeUsageError, load_definitions, pod_location
from compiler.materialize.run_tags import argo_run_tags
from compiler.user_text import shortened

CHECKS_JOB = "compiler_freshness_checks"
CAUSE_CHARACTERS = 400

DESCRIPTION = (
    "Evaluate one Dagster freshness-check sensor (build_sensor_for_freshness_checks) against the shared instance "
    "and run the checks it requests in one Dagster run recorded there. Run by the sensor's compiled CronWorkflow."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser, required_hint="; this or --python-file is required")
    parser.add_argument("--sensor", required=True, help="the Dagster freshness-check sensor's name")


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Hook for `python -m compiler freshness-checks` (compiler/cli.py lists it in SUBCOMMANDS)."""
    parser = add_command(
        subparsers,
        "freshness-checks",
        help="run the freshness checks a freshness-check sensor would launch now (its CronWorkflow's pod)",
        description=DESCRIPTION,
        epilog=EXIT_CODES_HELP,
        handler=run,
    )
    add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    with contextlib.redirect_stderr(sys.stdout):
        try:
            defs = load_definitions(pod_location(args))
            sensor = freshness_sensor(defs, args.sensor)
            if not wants_shared_instance():
                raise MaterializeUsageError(
                    f"sensor {sensor.name}: freshness checks read materialization times from the shared Dagster "
                    'instance; set [tool.compiler.instance] kind = "postgres" and rebuild the manifests'
                )
        except MaterializeUsageError as error:
            print(f"freshness-checks: error: {error}", flush=True)
            return exit_codes.USAGE
        try:
            with open_instance() as instance:
                return _run(defs, sensor, instance, getattr(args, "debug", False))
        except InstanceUnavailableError as error:  # retryable: the database may be back for the next attempt
            print(f"freshness-checks: error: {error}", flush=True)
            return exit_codes.FAILED


def freshness_sensor(defs: dg.Definitions, name: str) -> dg.SensorDefinition:
    from compiler.builder.freshness import is_freshness_check_sensor

    for sensor in defs.sensors or []:
        if sensor.name == name and is_freshness_check_sensor(sensor):
            return sensor
    raise MaterializeUsageError(f"no freshness-check sensor named {name!r} in the definitions; rebuild the manifests")


def due_checks(
    defs: dg.Definitions, sensor: dg.SensorDefinition, instance: dg.DagsterInstance
) -> tuple[dg.RunRequest | None, str]:
    """Dagster's own answer for this moment: the sensor's RunRequest (None on a skip) and its skip message."""
    context = dg.build_sensor_context(instance=instance, sensor_name=sensor.name, definitions=defs)
    data = sensor.evaluate_tick(context)
    requests = list(data.run_requests or [])
    return (requests[0] if requests else None), data.skip_message or ""


def run_checks(
    defs: dg.Definitions,
    keys: Sequence[dg.AssetCheckKey],
    instance: dg.DagsterInstance,
    tags: dict[str, str],
) -> dg.ExecuteInProcessResult:
    """One run of exactly these checks (no asset is materialized), as the sensor's RunRequest launches it."""
    job = dg.define_asset_job(
        CHECKS_JOB, selection=dg.AssetSelection.checks(*keys), executor_def=dg.in_process_executor
    )
    resolved = dg.Definitions.merge(defs, dg.Definitions(jobs=[job])).resolve_job_def(CHECKS_JOB)
    return resolved.execute_in_process(instance=instance, tags=tags, raise_on_error=False)


def _run(defs: dg.Definitions, sensor: dg.SensorDefinition, instance: dg.DagsterInstance, debug: bool) -> int:
    try:
        request, skipped = due_checks(defs, sensor, instance)
    except Exception as error:  # the sensor's own failure (a Dagster bug or the instance): one line, exit 1
        if debug:
            traceback.print_exc(file=sys.stdout)
        print(f"freshness-checks: FAILED evaluating sensor {sensor.name}: {_cause(error)}", flush=True)
        return exit_codes.FAILED
    if request is None:
        print(f"freshness-checks: {sensor.name}: skipped: {skipped}", flush=True)
        return 0
    keys = list(request.asset_check_keys or [])
    tags = {**argo_run_tags(), SENSOR_NAME_TAG: sensor.name, **{k: str(v) for k, v in (request.tags or {}).items()}}
    print(f"freshness-checks: {sensor.name}: running {', '.join(k.to_user_string() for k in keys)}", flush=True)
    result = run_checks(defs, keys, instance, tags)
    for evaluation in result.get_asset_check_evaluations():
        verdict = "passed" if evaluation.passed else f"failed ({evaluation.severity.value})"
        print(f"freshness-checks: {evaluation.asset_check_key.to_user_string()} {verdict}", flush=True)
    if not result.success:
        print(f"freshness-checks: FAILED run {result.run_id} of sensor {sensor.name}", flush=True)
        return exit_codes.FAILED
    return 0


def _cause(error: BaseException) -> str:
    return shortened(" ".join(f"{type(error).__name__}: {error}".split()), limit=CAUSE_CHARACTERS)
