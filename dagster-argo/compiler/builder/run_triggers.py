"""Run status sensors that REQUEST runs (`run_status_sensor(request_job=...)`, `run_failure_sensor(request_jobs=...)`)
→ Argo Events: a `resource` EventSource watching this project's Workflows and one Sensor per (monitored job,
requested job) that creates the requested job's Workflow from the WorkflowTemplate.

Dagster's daemon evaluates such a sensor after a monitored run ends with the sensor's status, and launches what the
body requests. Here the EventSource (`eventTypes: [UPDATE]`, the pipeline's and Argo's "completed" labels) reports
each ended Workflow; the Sensor's data filters keep the phases the status means (SUCCESS: Succeeded; FAILURE:
Failed or Error) and the DAGs running the monitored job (`status.storedWorkflowTemplateSpec.entrypoint`), and its
trigger creates a Workflow of the requested job's DAG named after the ended Workflow (a redelivered event cannot
start a second one). Every step pod of that Workflow evaluates the sensor body with the RunStatusSensorContext of the
ended run (compiler/materialize/run_request.py): it runs the partition the RunRequest names, or skips when the body
requests nothing, requests another of its jobs, or returns a SkipReason, as an @asset_sensor's Workflow does
(compiler/builder/asset_triggers.py). The differences from Dagster are `build` warnings (run_trigger_warnings).
"""

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import dagster as dg

from compiler.builder.exit_handlers import ASSET_JOB, PHASES, job_entrypoints, run_status_refusal
from compiler.builder.model import Project
from compiler.builder.naming import assign_names
from compiler.builder.plan_types import MAIN_DAG, Plan
from compiler.errors import UnsupportedInputError
from compiler.sensors.workflow_events import (
    ENTRYPOINT_PATH,
    HASH_LENGTH,
    PHASE_PATH,
    name_template,
    object_key_template,
)

NAME_LIMIT = 50  # as compiler/builder/events.py: Argo Events names the Sensor's Deployment `<name>-sensor-<5>`
EVENT_NAME = "workflow-ended"
DEPENDENCY = "ended"
PIPELINE_LABEL = "app.kubernetes.io/name"  # every Workflow of the template carries it (workflowMetadata.labels)
COMPLETED_LABEL = "workflows.argoproj.io/completed"  # set by Argo's controller when the Workflow ends


@dataclass(frozen=True)
class RunTrigger:
    """One run-requesting run status sensor: its status, monitored Dagster jobs (() = every job of the location)
    and the jobs it may request."""

    sensor: str
    status: dg.DagsterRunStatus
    jobs: tuple[str, ...]
    requested: tuple[str, ...]
    stopped: bool


@dataclass(frozen=True)
class RunTriggerPlan:
    """One Argo Events Sensor of a RunTrigger: Workflows of `job` ending in `phases` start `requested`."""

    sensor: str  # the Dagster sensor
    source: str  # its EventSource's metadata.name (one per Dagster sensor)
    name: str  # this Sensor's metadata.name
    job: str  # the monitored Dagster job
    entrypoints: tuple[str, ...]  # the DAGs running it
    phases: tuple[str, ...]
    requested: str  # the Dagster job the created Workflow runs
    entrypoint: str  # its DAG
    workflow_prefix: str

    @property
    def filters(self) -> tuple[tuple[str, str], ...]:
        """(gjson path, anchored regex): the phase, and the DAG the ended Workflow ran."""
        return (
            (PHASE_PATH, f"^(?:{'|'.join(self.phases)})$"),
            (ENTRYPOINT_PATH, f"^(?:{'|'.join(re.escape(e) for e in self.entrypoints)})$"),
        )

    @property
    def object_key_template(self) -> str:
        return object_key_template(self.job, self.requested)

    @property
    def name_template(self) -> str:
        return name_template(self.workflow_prefix)


def is_run_trigger(sensor: dg.SensorDefinition) -> bool:
    return isinstance(sensor, dg.RunStatusSensorDefinition) and bool(sensor.targets)


def read_run_triggers(defs: dg.Definitions, asset_jobs: Sequence[str]) -> tuple[RunTrigger, ...]:
    """Every run-requesting run status sensor, or the refusal naming it (exit 2)."""
    found = [_trigger(sensor, set(asset_jobs)) for sensor in defs.sensors or [] if is_run_trigger(sensor)]
    return tuple(sorted(found, key=lambda trigger: trigger.sensor))


def _trigger(sensor: dg.SensorDefinition, asset_jobs: set[str]) -> RunTrigger:
    refusal = run_status_refusal(sensor, asset_jobs, requesting=True)
    if refusal is not None:
        raise UnsupportedInputError(refusal)
    requested = tuple(sorted({str(target.job_name) for target in sensor.targets}))
    for job in requested:
        if job not in asset_jobs:
            raise UnsupportedInputError(
                f"sensor {sensor.name}: requests job {job}, which is not an asset job (define_asset_job) of this "
                "code location; request one: its DAG is what the Argo Events Sensor starts"
            )
    monitored = getattr(sensor, "_monitored_jobs", None) or []
    return RunTrigger(
        sensor=sensor.name,
        status=sensor._run_status,  # type: ignore[attr-defined]
        jobs=tuple(sorted({str(job.name) for job in monitored})),
        requested=requested,
        stopped=sensor.default_status == dg.DefaultSensorStatus.STOPPED,
    )


def with_run_triggers(plan: Plan, project: Project, job_dags: Mapping[str, str], gated: set[str]) -> Plan:
    """The plan with one RunTriggerPlan per (sensor, monitored job, requested job); unchanged without them."""
    if not project.run_triggers:
        return plan
    sensor_dags = {
        event.entrypoint: trigger.job_name
        for event in plan.events
        for trigger in project.object_triggers
        if trigger.spec.name == event.sensor and event.entrypoint not in job_dags.values()
    }
    entrypoints = job_entrypoints(job_dags, sensor_dags, MAIN_DAG)
    triples = [
        (trigger, job, requested)
        for trigger in project.run_triggers
        for job in (trigger.jobs or sorted(entrypoints))
        for requested in trigger.requested
        if entrypoints.get(job)
    ]
    pipeline = plan.name
    sensors, _ = assign_names(
        (f"{pipeline}-{t.sensor}-{job}-{requested}" for t, job, requested in triples), limit=NAME_LIMIT, what="Sensor"
    )
    # the created Workflows' names: `<prefix>-<hash>`, the prefixes unique after truncation (two Sensors of one ended
    # Workflow must not create the same name)
    prefixes, _ = assign_names(
        (f"{pipeline}-{t.sensor}-{job}-{requested}" for t, job, requested in triples),
        limit=63 - HASH_LENGTH - 1,
        what="Workflow name prefix",
    )
    sources, _ = assign_names(
        (f"{pipeline}-{t.sensor}" for t in project.run_triggers), limit=NAME_LIMIT, what="EventSource"
    )
    plans = []
    for trigger, job, requested in triples:
        entrypoint = job_dags[requested]
        if entrypoint in gated:
            raise UnsupportedInputError(
                f"sensor {trigger.sensor}: requests job {requested}, the job of a schedule with code of its own "
                "(its DAG starts with a schedule-gate); request another define_asset_job job selecting the same assets"
            )
        name = sensors[f"{pipeline}-{trigger.sensor}-{job}-{requested}"]
        plans.append(
            RunTriggerPlan(
                sensor=trigger.sensor,
                source=sources[f"{pipeline}-{trigger.sensor}"],
                name=name,
                job=job,
                entrypoints=entrypoints[job],
                phases=PHASES[trigger.status],
                requested=requested,
                entrypoint=entrypoint,
                workflow_prefix=prefixes[f"{pipeline}-{trigger.sensor}-{job}-{requested}"],
            )
        )
    return dataclasses.replace(plan, run_triggers=tuple(plans))


def run_trigger_warnings(trigger: RunTrigger) -> list[str]:
    """Every way the compiled sensor differs from Dagster's daemon, one line each, naming the sensor."""
    where = f"sensor {trigger.sensor}"
    found = [
        f"{where}: Argo Events' resource EventSource is told of each Workflow of this WorkflowTemplate that ends "
        "(pushed, UPDATE events) where Dagster's daemon polls the run history after a cursor: Workflows that ended "
        "while the EventSource was down or before it was applied are never seen (no catch-up), and runs Argo did "
        "not make (dagster dev, another deployment) start nothing",
        f"{where}: its body runs in every step pod of the requested job's Workflow (not once in the daemon) with a "
        "context built from the ended Workflow: run_id is the Workflow's name, the failure event's message names "
        "the Argo phase (no step events, no instance records, no run tags such as dagster/partition); a body "
        "reading those, the instance or another system may answer differently, and one with side effects has them "
        "once per step",
        f"{where}: Dagster's run_key starts a run at most once ever; the created Workflow is named after the ended "
        "Workflow, which stops a redelivered event only while it exists (until its ttlStrategy or a user deletes "
        "it); RunRequest tags are not applied and a run_config is refused by the pod (exit 2)",
        f"{where}: the run's status is the Workflow's Argo phase ({'/'.join(PHASES[trigger.status])}): a Workflow "
        "a user stopped or terminated ends Failed, where Dagster's run would be CANCELED (which a FAILURE sensor "
        "does not see)",
    ]
    if len(trigger.requested) > 1:
        found.append(
            f"{where}: it may request {len(trigger.requested)} jobs: each ended run starts one Workflow per job, and "
            "the pods of the jobs its RunRequest does not name skip (their Workflows run nothing)"
        )
    if not trigger.jobs:
        found.append(
            f"{where}: it monitors every job: Workflows of each asset job's DAG, of new_object_sensor DAGs and of "
            f"`main` ({ASSET_JOB}); a `compiler backfill` Workflow starts nothing"
        )
    if trigger.stopped:
        found.append(
            f"{where}: default_status STOPPED (Dagster's default) has no Argo Events equivalent: the Sensor reacts "
            "from the moment it is applied; leave its files out of the kustomization to keep it off"
        )
    return found
