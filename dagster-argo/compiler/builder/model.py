"""The plain model between Dagster and Argo: what the compiler understood, free of Dagster objects."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from compiler.builder.exit_handlers import StatusAlert
from compiler.builder.freshness import FreshnessSensor
from compiler.builder.k8s_config import PodExtras
from compiler.code_location import CodeLocation
from compiler.sensors.spec import ObjectSensorSpec

if TYPE_CHECKING:  # compiler/builder/run_triggers.py imports this module
    from compiler.builder.run_triggers import RunTrigger


@dataclass(frozen=True)
class RetrySpec:
    """Dagster's RetryPolicy in Argo terms: attempts after the first, first delay, growth factor."""

    limit: int
    delay_seconds: int | None
    factor: int | None
    cap_seconds: int | None = None  # Argo `backoff.cap`: no single wait longer (LINEAR's approximation)
    # True: retry failed attempts (a RetryPolicy, or the setting retry_failures); False: only attempts the
    # infrastructure stopped before they reported an outcome (compiler/exit_codes.py INFRASTRUCTURE_RETRY_EXPRESSION)
    failures: bool = True


@dataclass(frozen=True)
class CheckTask:
    """A standalone asset check with `additional_deps` that runs in a task of its own (compiler/check_tasks.py)."""

    name: str  # the check's name: `materialize --check NAME` of the asset
    asset: tuple[str, ...]  # the checked key (one key of a multi-asset)
    deps: tuple[tuple[str, ...], ...]  # its extra dependencies, outside the asset's op
    blocking: bool  # Dagster's downstream assets of the checked asset wait for it


@dataclass(frozen=True)
class PodOverrides:
    """The supported part of a `dagster-k8s/config` tag, already in Kubernetes camelCase."""

    image: str | None = None
    resources: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    env: tuple[tuple[str, str], ...] = ()
    node_selector: Mapping[str, str] = field(default_factory=dict)
    tolerations: tuple[Mapping[str, Any], ...] = ()
    service_account: str | None = None
    active_deadline_seconds: int | None = None  # job_spec_config / pod_spec_config active_deadline_seconds
    extras: PodExtras = field(
        default_factory=PodExtras
    )  # the Kubernetes objects of the tag (compiler/builder/k8s_config.py)

    @property
    def is_empty(self) -> bool:
        return self == PodOverrides()


@dataclass(frozen=True)
class FanOutSpec:
    """What an asset's partitions fan out over (compiler/builder/fan_out.py): `keys` are the `withItems` items (the
    static dimension's keys, or a static definition's keys); `definition` identifies the partitions definition, so
    assets sharing one share a per-key DAG."""

    keys: tuple[str, ...]
    definition: str
    dimension: str = ""  # the static dimension of a multi-partition; "" when the item is the whole key


@dataclass(frozen=True)
class AssetSpec:
    key: tuple[str, ...]
    deps: tuple[tuple[str, ...], ...]
    description: str | None
    owners: tuple[str, ...]
    retry: RetrySpec | None
    pod: PodOverrides
    warnings: tuple[str, ...] = ()  # documented approximations (e.g. RetryPolicy jitter), printed once by build
    # A multi-asset is one op, so one task: `key` is its first key, `keys` all of them (sorted), `op_name` names the
    # task, and `can_subset` says whether a job may run only some of the keys.
    keys: tuple[tuple[str, ...], ...] = ()
    op_name: str | None = None
    can_subset: bool = False
    fan_out: FanOutSpec | None = None  # static / multi-dimensional partitions: one run per key (withItems)
    # Step fusion (compiler/builder/fusion.py): the `argo/fuse` tag (None: absent), the partitions definition's identity
    fuse: bool | None = None
    partitions: str | None = None
    resumable: bool = True  # its IO manager can say when it stored a value (compiler/materialize/resume.py)
    check_tasks: tuple[CheckTask, ...] = ()  # its checks that run after it in tasks of their own
    # upstream assets of another cadence whose partitions `main` plans and fans out over (compiler/builder/cadence.py)
    planned_deps: tuple[tuple[str, ...], ...] = ()
    # the name of its DynamicPartitionsDefinition: its keys are read from the shared instance at run time
    # (compiler/builder/dynamic_partitions.py); "" for any other definition
    dynamic_partitions: str = ""

    @property
    def all_keys(self) -> tuple[tuple[str, ...], ...]:
        return self.keys or (self.key,)

    @property
    def key_path(self) -> str:
        """The `a/b/c` form the step runner's `--asset` parses."""
        return "/".join(self.key)

    @property
    def task_source(self) -> str:
        """What the task is named after: the asset key, or for a multi-asset its op's name."""
        return self.op_name if len(self.all_keys) > 1 and self.op_name else self.key_path

    def asset_argument(self, selection: frozenset[tuple[str, ...]] | None = None) -> str:
        """The step's `--asset` value: the selected keys as `a/b,c/d` (all of them when the op cannot subset)."""
        keys = self.all_keys
        if selection is not None and self.can_subset:
            keys = tuple(key for key in keys if key in selection)
        return ",".join("/".join(key) for key in keys)

    @property
    def needs_own_template(self) -> bool:
        """Argo tasks cannot override retryStrategy or container settings, so such assets get their own template."""
        return self.retry is not None or not self.pod.is_empty


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    job_name: str
    crons: tuple[str, ...]
    timezone: str
    asset_keys: frozenset[tuple[str, ...]]
    stopped: bool = False  # default_status=STOPPED (Dagster's default): deployed, but not ticking until started
    gated: bool = False  # its own code may skip a tick or pick assets: its DAG starts with a schedule-gate task
    # its own code selected only some of its job's assets at a sampled tick (RunRequest asset_selection)
    selects_part: bool = False
    # the CronWorkflow's `schedules` when they are not `crons`: entries added so that Argo fires at every Dagster tick
    # around daylight-saving switches (compiler/validate/tick_cover.py); the gate skips the ticks Dagster would not fire
    argo_crons: tuple[str, ...] = ()
    tick_filter: bool = False  # robfig fires where Dagster does not: the schedule-gate skips those ticks
    warnings: tuple[str, ...] = ()  # approximations found evaluating it (compiler/builder/fidelity/schedule_ticks.py)
    # the distinct RunRequest asset_selections of its sampled ticks, each with the first tick (ISO) that returned it:
    # step fusion keeps apart two assets a tick selects one without the other (compiler/builder/fusion.py)
    sampled_selections: tuple[tuple[str, frozenset[tuple[str, ...]]], ...] = ()


@dataclass(frozen=True)
class ObjectTrigger:
    """A `new_object_sensor` (compiler/sensors/) and the asset job it starts: an EventSource + Sensor on Argo."""

    spec: ObjectSensorSpec
    job_name: str
    asset_keys: frozenset[tuple[str, ...]]
    partitioned: bool  # its assets have a partitions definition: the key must name a partition
    dimensions: tuple[str, ...]  # the definition's dimension names (one, unnamed, for a single dimension: ())
    stopped: bool  # default_status=STOPPED (Dagster's default)
    monitored: str = ""  # an @asset_sensor (builder/asset_triggers.py): the asset whose marker objects start it
    # a @multi_asset_sensor (builder/multi_asset_triggers.py): every monitored asset, one Sensor dependency each
    monitored_keys: tuple[tuple[str, ...], ...] = ()
    # AutomationCondition.eager() (builder/eager.py): the eager asset whose step this parent's markers start
    eager: str = ""


@dataclass(frozen=True)
class JobSpec:
    """An asset job (compiler/builder/jobs.py): its `job-<name>` DAG runs `asset_keys`, scheduled or not."""

    name: str
    asset_keys: frozenset[tuple[str, ...]]


@dataclass(frozen=True)
class OpJobSpec:
    """An op/graph job (compiler/builder/op_jobs.py): its `job-<name>` DAG runs the whole job in one pod."""

    name: str
    pod: PodOverrides
    partitioned: bool  # the pod resolves the partition from the job's schedule, as for assets
    warnings: tuple[str, ...] = ()
    description: str | None = None
    env_vars: tuple[tuple[str, str], ...] = ()  # (EnvVar name, resource key) its resources read in the pod
    pools: tuple[str, ...] = ()  # its ops' pools: Argo semaphores its pod holds (compiler/builder/op_job_plan.py)
    # one task per op (compiler/builder/op_steps.py) when every handoff is on shared storage; else one pod
    steps: tuple[Any, ...] = ()  # op_steps.OpStep, in node order; () when its shape keeps the one-pod mapping
    one_pod_reason: str = ""  # why its shape keeps the one-pod mapping
    handoffs: tuple["IOHandoff", ...] = ()  # its op-to-op handoffs through pod-local IO managers
    one_pod_warnings: tuple[str, ...] = ()  # printed when it runs in one pod
    per_op_warnings: tuple[str, ...] = ()  # printed when it runs one task per op
    parallelism: int | None = None  # one task per op: its executor's max_concurrent (fidelity/executor_concurrency.py)
    takes_config: bool = False  # run config can change its run: the `run_config` parameter (builder/run_config.py)
    op_pods: tuple[tuple[str, PodOverrides], ...] = ()  # one task per op: ops with their own tag (builder/op_pods.py)


@dataclass(frozen=True)
class Project:
    """Assets in topological order (ties broken by key), schedules and jobs sorted by name."""

    location: CodeLocation  # where the pods load the definitions again (compiler/code_location.py)
    assets: tuple[AssetSpec, ...]
    schedules: tuple[ScheduleSpec, ...]
    fidelity: "FidelityFacts" = field(default_factory=lambda: FidelityFacts())
    object_triggers: tuple[ObjectTrigger, ...] = ()  # new_object_sensors, sorted by name (compiler/builder/events.py)
    jobs: tuple[JobSpec, ...] = ()
    op_jobs: tuple[OpJobSpec, ...] = ()  # op/graph jobs, sorted by name (compiler/builder/op_jobs.py)
    run_config: bool = False  # run config can change a run: the `run_config` parameter (builder/run_config.py)
    # alert-only run status sensors → the exit handler (compiler/builder/exit_handlers.py)
    status_alerts: tuple[StatusAlert, ...] = ()
    # run status sensors that request runs → Argo Events (compiler/builder/run_triggers.py)
    run_triggers: tuple["RunTrigger", ...] = ()
    # freshness-check sensors → a CronWorkflow running the due checks (compiler/builder/freshness.py)
    freshness_sensors: tuple[FreshnessSensor, ...] = ()

    @property
    def warnings(self) -> tuple[str, ...]:
        """Every approximation the mapping made, one line each, in asset order, then the op jobs'."""
        return (
            *(warning for asset in self.assets for warning in asset.warnings),
            *(warning for job in self.op_jobs for warning in job.warnings),
        )


@dataclass(frozen=True)
class IOHandoff:
    """An asset that loads another asset's value through an IO manager keeping it on the producing pod's own disk or
    memory (fidelity/io_handoff.py): under Dagster in one process it works, on Argo the next pod has none."""

    asset: str
    upstream: str
    io_manager_key: str
    kind: str  # "Dagster's default filesystem IO manager", "a filesystem IO manager", "an in-memory IO manager"
    can_be_shared: bool  # a filesystem path may be a volume every pod mounts; memory and the default never are
    path: str | None = None  # base_dir, or a DuckDB database file, when the resource names one literally
    path_variable: str | None = None  # ... or the EnvVar it is read from ([tool.compiler.env] gives the pods' value)
    # the asset reads exactly the upstream partition its own run materializes (or neither is partitioned): one pod
    # running both hands it over (compiler/builder/pod_local.py); False for offsets, fan-ins over other windows, ...
    same_partition: bool = True


@dataclass(frozen=True)
class EnvVarUse:
    """`EnvVar("X")` in the config of a resource some asset needs (compiler/builder/fidelity/resource_env.py)."""

    variable: str
    resource: str
    assets: tuple[str, ...]


@dataclass(frozen=True)
class FidelityFacts:
    """What the fidelity checks in plan.py compare with `[tool.compiler]`; read from the Definitions in load.py."""

    io_handoffs: tuple[IOHandoff, ...] = ()
    # (IO manager key, its class, asset, upstream) through IO managers of unknown storage (fidelity/custom_io.py)
    custom_io: tuple[tuple[str, str, str, str], ...] = ()
    env_vars: tuple[EnvVarUse, ...] = ()
    warnings: tuple[
        str, ...
    ] = ()  # approximations `build` prints as `warning:` lines (compiler/builder/fidelity/unmapped.py)
    # executor max_concurrent → DAG parallelism, by job name ("" = the Definitions' executor, i.e. `main`)
    dag_parallelism: tuple[tuple[str, int], ...] = ()
    # (asset key, its Dagster pools): Argo semaphores (compiler/builder/fidelity/pools.py)
    pools: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
