"""The plan: what the build's render stage draws, named and shaped (compiler/builder/plan.py makes it).

Frozen dataclasses (and `free_text`, how user prose enters them), so every stage after planning (fusion, the
schedule-gate, render, backfill, the deploy bundle) can use them without importing the planner.
"""

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from compiler.builder.exit_handlers import ExitTask
from compiler.builder.fidelity.schedule_gate import Gate
from compiler.builder.freshness import FreshnessSensor
from compiler.builder.k8s_config import PodExtras
from compiler.builder.model import RetrySpec
from compiler.builder.naming import Renaming
from compiler.code_location import CodeLocation
from compiler.settings import SecretRef, Settings

if TYPE_CHECKING:  # compiler/builder/run_triggers.py imports this module
    from compiler.builder.run_triggers import RunTriggerPlan

MAIN_DAG = "main"
DEFAULT_STEP = "materialize"
PLAN_TEMPLATE = "plan-partitions"  # the planning task's template (compiler/builder/cadence.py)
GENERATOR = "dagster-argo-compiler"


@dataclass(frozen=True)
class EnvEntry:
    name: str
    value: str | None = None
    config_map: str | None = None
    secret: SecretRef | None = None


@dataclass(frozen=True)
class StepTemplate:
    name: str
    image: str
    retry: RetrySpec | None
    resources: Mapping[str, Mapping[str, str]]
    env: tuple[EnvEntry, ...]
    node_selector: Mapping[str, str]
    tolerations: tuple[Mapping[str, Any], ...]
    service_account: str | None
    active_deadline_seconds: int
    extras: PodExtras = dataclasses.field(default_factory=PodExtras)
    container_security: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # empty: the default block
    pools: tuple[
        str, ...
    ] = ()  # Argo semaphores in the <pipeline>-pools ConfigMap (compiler/builder/fidelity/pools.py)
    pod_security: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # empty: the workflow's
    fan_out: bool = False  # runs once per static key: takes `static-key` (compiler/builder/fan_out.py)
    fused: bool = False  # runs a chain of assets with `materialize --fused` (compiler/builder/fusion.py)
    together: bool = False  # ... assets handing values through pod-local storage: never resumes (builder/pod_local.py)
    check: bool = False  # runs one asset check alone, `materialize --check` (compiler/builder/check_tasks.py)
    op_job: bool = False  # runs a whole op/graph job, `materialize --job` (compiler/builder/op_job_plan.py)
    op_step: bool = False  # runs one op of an op job, `materialize --job J --op STEP` (builder/op_steps.py)


@dataclass(frozen=True)
class Task:
    name: str
    template: str
    asset: str
    depends: tuple[str, ...]
    description: str = ""  # the asset's, with `{{`/`}}` broken up; the step puts it on the pod as an annotation
    owners: str = ""
    items: tuple[str, ...] = ()  # a fan-out task: runs the per-key DAG `template` once per item (withItems)
    static_key: bool = False  # an asset task inside a per-key DAG: passes the DAG's `static-key` on
    when: str = ""  # set under a schedule-gate (compiler/builder/fidelity/schedule_gate.py)
    check: str = ""  # a check's own task: the check's name (compiler/builder/check_tasks.py)
    upstream: str = ""  # a planning task (compiler/builder/cadence.py): the upstream asset whose partitions it lists
    with_param: str = ""  # an upstream step fanned out over a planning task's list (withParam, partition `{{item}}`)
    job: str = ""  # in a `job-<job>` DAG of a project that reads run config: the Dagster job (materialize --job)
    chunk: bool = False  # runs a chunk DAG of a split DAG, passing `partition` only (compiler/builder/split.py)
    op_step: str = ""  # one op of an op job (compiler/builder/op_steps.py): its node handle
    known_state: tuple[str, ...] = ()  # ... and the tasks whose `known-state` output its pod reads

    @property
    def known_state_argument(self) -> str:
        """The upstream pods' known states as one JSON list (each output is a JSON object)."""
        return "[" + ",".join(f"{{{{tasks.{t}.outputs.parameters.known-state}}}}" for t in self.known_state) + "]"

    @property
    def depends_expression(self) -> str:
        return " && ".join(self.depends)


@dataclass(frozen=True)
class Dag:
    name: str
    tasks: tuple[Task, ...]
    # fan_out_parallelism on a DAG holding fan-out tasks (failFast then off), and/or the executor's max_concurrent
    # (compiler/builder/fidelity/executor_concurrency.py): Argo has one number, so the smaller one holds.
    parallelism: int | None = None
    per_key: bool = False  # a per-key DAG: takes `static-key` besides `partition`
    gate: Gate | None = None  # its schedule has code of its own (compiler/builder/fidelity/schedule_gate.py)
    # Argo's default (true) starts no new task once one failed; Dagster's executors go on with every step that does
    # not depend on the failed one, so every DAG says `failFast: false`.
    fail_fast: bool = False


@dataclass(frozen=True)
class CronPlan:
    name: str
    file_name: str
    schedule: str
    job: str
    crons: tuple[str, ...]
    timezone: str
    entrypoint: str
    suspended: bool = False
    dagster_crons: tuple[str, ...] = ()  # the Dagster schedule's crons when `crons` has entries added for DST days
    tick_filter: bool = False  # the DAG's schedule-gate skips the ticks Dagster would not fire
    concurrency_policy: str = ""  # overrides [tool.compiler] concurrency_policy (see filtered_concurrency_policy)
    policy_warning: str = ""

    @property
    def dagster_crons_annotation(self) -> str:
        """The Dagster schedule's crons as a JSON list: `validate` and `run-local` compare Argo's ticks with them."""
        return json.dumps(list(self.dagster_crons))


@dataclass(frozen=True)
class Plan:
    location: CodeLocation
    settings: Settings
    name: str
    file_name: str
    dags: tuple[Dag, ...]
    steps: tuple[StepTemplate, ...]
    crons: tuple[CronPlan, ...]
    renamings: tuple[Renaming, ...]
    gate_step: StepTemplate | None = None  # env, image, resources of the schedule-gate templates
    plan_step: StepTemplate | None = None  # the same for the plan-partitions template (compiler/builder/cadence.py)
    fusion_notes: tuple[str, ...] = ()  # compiler/builder/fusion.py: pairs not fused, and why
    fusion_warnings: tuple[str, ...] = ()
    pod_local_warnings: tuple[str, ...] = ()  # compiler/builder/pod_local.py: assets run in one pod, and why
    events: tuple["EventPlan", ...] = ()  # new_object_sensors (compiler/builder/events.py)
    entrypoint: str = MAIN_DAG  # `main`, or the first op job's DAG when there are no assets
    op_job_warnings: tuple[str, ...] = ()  # each op job's, for the mapping it got (compiler/builder/op_job_plan.py)
    run_config: bool = False  # the `run_config` workflow parameter and `--job` (compiler/builder/run_config.py)
    # alert-only run status sensors: the onExit DAG's tasks and its pod's settings (compiler/builder/exit_handlers.py)
    exit_tasks: tuple[ExitTask, ...] = ()
    exit_step: StepTemplate | None = None
    # run status sensors that request runs: one Argo Events Sensor each (compiler/builder/run_triggers.py)
    run_triggers: tuple["RunTriggerPlan", ...] = ()
    # freshness-check sensors (compiler/builder/freshness.py): their CronWorkflows (not schedules: no Dagster ticks
    # to compare with), the sensors, and the settings of the `freshness-checks` pod
    freshness: tuple[tuple[FreshnessSensor, CronPlan], ...] = ()
    freshness_step: StepTemplate | None = None

    @property
    def takes_object_key(self) -> bool:
        """The workflow parameters `object-key` and `sensor`, passed to every step: some Sensor starts its DAGs."""
        return bool(self.events or self.run_triggers)


@dataclass(frozen=True)
class EventPlan:
    """One new_object_sensor as Argo Events objects: an EventSource (minio, or sqs for AWS S3) and a Sensor whose
    trigger creates a Workflow from the WorkflowTemplate at `entrypoint`, named after bucket + key + ETag."""

    sensor: str  # the Dagster sensor's name (workflow parameter `sensor`, read by the pod)
    name: str  # the EventSource's and the Sensor's metadata.name
    store: str  # "minio" or "aws-sqs"
    entrypoint: str
    bucket: str
    endpoint: str  # host:port (minio)
    insecure: bool  # http, not https (minio)
    access_key: SecretRef | None
    secret_key: SecretRef | None
    prefix: str
    suffix: str
    filters: tuple[str, ...]  # anchored regexes on the key (compiler/sensors/keys.py), Sensor data filters
    workflow_prefix: str  # the triggered Workflow's name before the hash
    queue: str = ""
    region: str = ""
    wait_time_seconds: int = 20
    # a fanned-out target (compiler/builder/object_fan_out.py): the Sensor writes the object's fan-out item into
    # `object-static-key`, the pattern's groups expanded into the replacement; "" = every item runs (and skips)
    static_key_pattern: str = ""
    static_key_replacement: str = ""
    # a @multi_asset_sensor (builder/multi_asset_triggers.py): (dependency name, anchored regex of its asset's marker
    # keys) per monitored asset; the trigger's conditions AND them; () = the one dependency `newobject`
    dependencies: tuple[tuple[str, str], ...] = ()

    @property
    def key_path(self) -> str:
        """Where the event data holds the object key (gjson path): the minio source passes MinIO's records as
        `notification`, SQS the message body (an S3 notification) as `body`."""
        return "notification.0.s3.object.key" if self.store == "minio" else "body.Records.0.s3.object.key"


def free_text(text: str) -> str:
    """Breaks every `{{`/`}}` so Argo never evaluates user prose; the text stays readable."""
    return re.sub(r"\}(?=\})", "} ", re.sub(r"\{(?=\{)", "{ ", text))
