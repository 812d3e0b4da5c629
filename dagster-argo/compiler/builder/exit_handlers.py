"""Alert-only `run_status_sensor` / `run_failure_sensor` → the WorkflowTemplate's exit handler (`spec.onExit`).

Dagster's daemon evaluates such a sensor once a monitored job's run ends with the sensor's status. Argo runs the
`onExit` template after the entrypoint DAG, whatever its outcome, with `{{workflow.status}}` (Succeeded, Failed or
Error) and `{{workflow.mainEntrypoint}}` (the DAG the Workflow ran) set. So the exit handler is a DAG with one task
per (sensor, entrypoint running a monitored job), whose `when` holds only for that entrypoint and the sensor's
status; its pod (`python -m compiler run-status-sensor`, compiler/materialize/run_status.py) evaluates the body once.
Every Workflow of the template (CronWorkflows, Argo Events triggers, `argo submit`) inherits `onExit`.

Only bodies that alert run here: a sensor requesting runs (`request_job(s)`) becomes Argo Events objects
(compiler/builder/run_triggers.py); one watching other code locations, or another status than SUCCESS / FAILURE, is
refused here by name (exit 2).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import dagster as dg

from compiler.builder.naming import assign_names
from compiler.errors import UnsupportedInputError

EXIT_HANDLER = "run-status-sensors"  # the onExit DAG template
EXIT_STEP = "run-status-sensor"  # its tasks' container template
ASSET_JOB = "__ASSET_JOB"  # the Dagster job of a run of all the assets: the `main` DAG
# Dagster run status → the Argo workflow phases that mean it in an exit handler
PHASES: Mapping[dg.DagsterRunStatus, tuple[str, ...]] = {
    dg.DagsterRunStatus.SUCCESS: ("Succeeded",),
    dg.DagsterRunStatus.FAILURE: ("Failed", "Error"),
}


@dataclass(frozen=True)
class StatusAlert:
    """One alert-only run status sensor: its status and the Dagster jobs it monitors (() = every job)."""

    sensor: str
    status: dg.DagsterRunStatus
    jobs: tuple[str, ...]


@dataclass(frozen=True)
class ExitTask:
    name: str
    sensor: str
    job: str
    when: str


def is_run_status_sensor(sensor: dg.SensorDefinition) -> bool:
    return isinstance(sensor, dg.RunStatusSensorDefinition)


def read_status_alerts(defs: dg.Definitions, asset_jobs: Sequence[str]) -> tuple[StatusAlert, ...]:
    """Every run status sensor as a StatusAlert, or the refusal naming it (exit 2)."""
    alerts = [
        _alert(sensor, set(asset_jobs))
        for sensor in defs.sensors or []
        if is_run_status_sensor(sensor) and not sensor.targets  # requesting runs: compiler/builder/run_triggers.py
    ]
    return tuple(sorted(alerts, key=lambda alert: alert.sensor))


def run_status_refusal(
    sensor: dg.SensorDefinition, asset_jobs: set[str] | None = None, *, requesting: bool = False
) -> str | None:
    """Why this run status sensor cannot be compiled, or None when it can: an exit handler (alert-only), or with
    `requesting` the Argo Events Sensor of compiler/builder/run_triggers.py."""
    where = f"sensor {sensor.name}"
    seen_by = "the resource EventSource watches" if requesting else "an exit handler sees"
    if getattr(sensor, "_monitor_all_code_locations", False):
        return (
            f"{where}: monitor_all_code_locations is not compiled: {seen_by} only the Workflows of this "
            "project's WorkflowTemplate; monitor this code location's jobs"
        )
    status = getattr(sensor, "_run_status", None)
    if status not in PHASES:
        return (
            f"{where}: run_status {getattr(status, 'value', status)} is not compiled: Argo reports only "
            "a Workflow's end (Succeeded, Failed, Error); use DagsterRunStatus.SUCCESS or run_failure_sensor"
        )
    for monitored in getattr(sensor, "_monitored_jobs", None) or []:
        name = getattr(monitored, "name", None)
        if not isinstance(name, str):
            return (
                f"{where}: monitored_jobs names a selector ({type(monitored).__name__}), not a job of this code "
                "location; pass the job definitions themselves"
            )
        if asset_jobs is not None and name not in asset_jobs:
            return f"{where}: monitors job {name}, which is not an asset job of this code location; monitor one"
    return None


def _alert(sensor: dg.SensorDefinition, asset_jobs: set[str]) -> StatusAlert:
    refusal = run_status_refusal(sensor, asset_jobs)
    if refusal is not None:
        raise UnsupportedInputError(refusal)
    monitored = getattr(sensor, "_monitored_jobs", None) or []
    jobs = tuple(sorted({str(job.name) for job in monitored}))
    return StatusAlert(sensor.name, sensor._run_status, jobs)  # type: ignore[attr-defined]


def alert_warning(alert: StatusAlert) -> str:
    """The approximation, named once per sensor."""
    return (
        f"sensor {alert.sensor}: runs in each Workflow's exit handler (spec.onExit) after the DAG, not in Dagster's "
        "daemon after the run's events land: its context's run has the Workflow's name as run_id, the failure "
        "event's message names the Argo phase (no step events, no instance records), a body that raises fails "
        "the Workflow, and a `compiler backfill` Workflow (one for many partitions) alerts nothing"
    )


def exit_tasks(alerts: Sequence[StatusAlert], entrypoints: Mapping[str, tuple[str, ...]]) -> tuple[ExitTask, ...]:
    """One task per (sensor, entrypoint running a monitored job); `entrypoints` maps each Dagster job to its DAGs."""
    pairs = [
        (alert, job, entry)
        for alert in alerts
        for job in (alert.jobs or sorted(entrypoints))
        for entry in entrypoints.get(job, ())
    ]
    names, _ = assign_names((f"{alert.sensor}-{entry}" for alert, _, entry in pairs), what="exit handler task")
    return tuple(
        ExitTask(names[f"{alert.sensor}-{entry}"], alert.sensor, job, _when(alert.status, entry))
        for alert, job, entry in pairs
    )


def _when(status: dg.DagsterRunStatus, entrypoint: str) -> str:
    phases = " || ".join(f"'{{{{workflow.status}}}}' == '{phase}'" for phase in PHASES[status])
    return f"'{{{{workflow.mainEntrypoint}}}}' == '{entrypoint}' && ({phases})"


def job_entrypoints(
    job_dags: Mapping[str, str], sensor_dags: Mapping[str, str], main_dag: str
) -> dict[str, tuple[str, ...]]:
    """Each Dagster job → the DAGs running it: `job-<job>`, `sensor-<sensor>` DAGs of its new_object_sensors, and
    `main` for the implicit asset job."""
    entries: dict[str, list[str]] = {job: [dag] for job, dag in job_dags.items()}
    for dag, job in sensor_dags.items():
        entries.setdefault(job, []).append(dag)
    entries.setdefault(ASSET_JOB, []).append(main_dag)
    return {job: tuple(sorted(set(dags))) for job, dags in entries.items()}
