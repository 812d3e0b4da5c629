"""Op and graph jobs (`@job`, `GraphDefinition.to_job`) → `OpJobSpec`s: each becomes a `job-<name>` DAG whose one
task runs the whole job in one pod, `python -m compiler materialize --job <name>` (compiler/materialize/op_job.py),
with Dagster's own in-process execution.

Why one pod: an op job hands values between ops through its IO managers, by default Dagster's in-memory one under
in-process execution, and its dynamic outputs, conditional outputs and op retries are decided by Dagster's plan at
run time. Run in one process, Dagster decides all of it exactly as `execute_in_process` does: the same ops run, the
same outputs are stored, the same ops are skipped, the same failure ends the run. What changes is where ops run:
one after another in one pod, not one pod (or process) per op; each job gets one `warning:` saying so and naming
what that costs (the executor's concurrency, per-op pod settings and pools).
"""

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg
from dagster._core.definitions.repository_definition import RepositoryDefinition
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from compiler.builder.dagster_k8s import TAG, read_pod_overrides
from compiler.builder.fidelity.executor_concurrency import ExecutorLimit, executor_limit
from compiler.builder.fidelity.pools import CONFIGMAP_KEY
from compiler.builder.fidelity.resource_env import env_vars_of
from compiler.builder.fidelity.schedule_ticks import sample_ticks
from compiler.builder.fidelity.tick_selection import has_own_code
from compiler.builder.model import OpJobSpec, ScheduleSpec
from compiler.builder.op_pods import op_pods
from compiler.builder.op_steps import job_handoffs, read_op_steps
from compiler.builder.partitions import CHECK_TIME
from compiler.builder.run_config import has_fields, schedule_config_verdict, tick_config_problem
from compiler.errors import UnsupportedInputError
from compiler.validate.cron import cron_problem

ONE_POD_ENTRY = "python -m compiler materialize --job"


def op_jobs(defs: dg.Definitions, schedules: Iterable[object] = ()) -> list[dg.JobDefinition]:
    """Every op/graph job Dagster can launch: the Definitions' own and those only a schedule holds, by name."""
    candidates = [*(defs.jobs or []), *(getattr(schedule, "job", None) for schedule in schedules)]
    jobs: dict[str, dg.JobDefinition] = {}
    for job in candidates:
        if isinstance(job, dg.JobDefinition) and not isinstance(job, UnresolvedAssetJobDefinition):
            jobs.setdefault(job.name, job)
    return [jobs[name] for name in sorted(jobs)]


def read_op_jobs(defs: dg.Definitions, schedules: Iterable[object] = ()) -> tuple[OpJobSpec, ...]:
    return tuple(read_op_job(job, defs.resources or {}) for job in op_jobs(defs, schedules))


def read_op_job(job: dg.JobDefinition, shared: Mapping[str, Any] | None = None) -> OpJobSpec:
    """The job's pod settings (its `dagster-k8s/config` tag), its refusals (dynamic partitions), whether it takes
    run config, the variables its resources read and its warnings. Dynamic outputs, nested maps, optional outputs
    and retry policies need nothing here: Dagster runs them in the pod."""
    where = f"job {job.name}"
    if job.asset_layer is not None and job.asset_layer.selected_asset_keys:
        raise UnsupportedInputError(
            f"{where}: a resolved job that materializes assets is not compiled as an op job; pass the assets and a "
            "define_asset_job to the Definitions instead"
        )
    _refuse_dynamic_partitions(job, where)
    pod = read_pod_overrides(where, _tags(job.tags))
    steps, reason = read_op_steps(job)
    limit = _executor_limit(job)
    one_pod = [_one_pod_warning(job, reason), *_retries_off_warning(job), *_per_op_warnings(job)]
    return OpJobSpec(
        name=job.name,
        pod=pod,
        partitioned=job.partitions_def is not None,
        description=job.description,
        env_vars=_env_vars(job, shared or {}),
        pools=_pools(job),
        steps=steps,
        one_pod_reason=reason,
        handoffs=job_handoffs(job, shared or {}, steps),
        one_pod_warnings=tuple(one_pod),
        per_op_warnings=(*limit.warnings, *_op_pod_warnings(job)),
        parallelism=limit.parallelism,
        takes_config=op_job_takes_config(job),
        op_pods=op_pods(job, [step.handle for step in steps]),
    )


def _executor_limit(job: dg.JobDefinition) -> ExecutorLimit:
    """One task per op: the job's executor bounds how many op pods run at once, as for asset jobs. Dagster's
    default `multi_or_in_process` executor is the multiprocess one when a run is launched; its `retries` setting is
    applied in each op's pod (compiler/materialize/op_step.py), so only the concurrency warnings are kept."""
    executor = job.executor_def
    if executor is not None and executor.name.startswith("multi_or_in_process"):
        executor = dg.multiprocess_executor  # its launch default: multiprocess, max_concurrent unset
    found = executor_limit(executor, f"job {job.name}")
    kept = tuple(w for w in found.warnings if ": retries " not in w)
    return ExecutorLimit(found.parallelism, kept)


def _pools(job: dg.JobDefinition) -> tuple[str, ...]:
    """Its ops' pools, each an Argo semaphore key (a ConfigMap key) as for assets (fidelity/pools.py)."""
    pools = sorted({op.pool for _name, op in _ops(job) if op.pool})
    for pool in pools:
        if not CONFIGMAP_KEY.match(pool):
            raise UnsupportedInputError(
                f"job {job.name}: pool {pool!r} cannot name an Argo semaphore (a ConfigMap key: letters, digits, '-', "
                "'_', '.'); rename the pool"
            )
    return tuple(pools)


def _env_vars(job: dg.JobDefinition, shared: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """What the job's resources read through EnvVar: its own `resource_defs` win over the Definitions' resources,
    as Dagster binds them (compiler/builder/fidelity/resource_env.py reads the objects)."""
    resources = {**shared, **job.resource_defs}
    wanted = set(job.resource_defs) | {key for _name, op in _ops(job) for key in op.required_resource_keys}
    uses = {(variable, key) for key in wanted if key in resources for variable in _reads(resources[key], 0)}
    return tuple(sorted(uses))


def _reads(resource: Any, depth: int) -> set[str]:
    """A job binds its resources as ResourceDefinitions: a ConfigurableResource's EnvVars are then its config's
    defaults, `{"env": NAME}` (nested resources included); plain objects are read as for assets."""
    if not isinstance(resource, dg.ResourceDefinition) or depth > 20:
        return set(env_vars_of(resource))
    field = resource.config_field
    found = set(_env_defaults(field.default_value, 0)) if field is not None and field.default_provided else set()
    nested = getattr(resource, "nested_resources", {}) or {}
    return found.union(*(_reads(item, depth + 1) for item in nested.values()))


def _env_defaults(value: Any, depth: int) -> Iterable[str]:
    if depth > 20:
        return
    if isinstance(value, Mapping):
        if set(value) == {"env"} and isinstance(value["env"], str):
            yield value["env"]
            return
        for item in value.values():
            yield from _env_defaults(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _env_defaults(item, depth + 1)


def _tags(tags: Any) -> dict[str, Any]:
    return dict(tags or {})


def op_job_takes_config(job: dg.JobDefinition) -> bool:
    """Whether run config can change what the job's run does: an op reads config, or the job has `config=` (a dict,
    a `ConfigMapping`, a `PartitionedConfig`). Then the WorkflowTemplate has the `run_config` parameter, which its
    pods read (compiler/materialize/op_run_config.py); config without a default is no reason to refuse the job, as a
    manual submit can always supply it. Only the schema is read: processing config would resolve EnvVars, which the
    build machine need not have."""
    if job.partitioned_config is not None or job.config_mapping is not None:
        return True
    return any(op.config_field is not None and has_fields(op.config_field) for _name, op in _ops(job))


def _refuse_dynamic_partitions(job: dg.JobDefinition, where: str) -> None:
    """As for assets: a dynamic partition's keys live in a Dagster instance's storage, which a pod's throw-away
    instance does not have, so neither a schedule's key nor a manual one could be checked there."""
    partitions = job.partitions_def
    dimensions = (
        [d.partitions_def for d in partitions.partitions_defs]
        if isinstance(partitions, dg.MultiPartitionsDefinition)
        else [partitions]
    )
    if any(isinstance(d, dg.DynamicPartitionsDefinition) for d in dimensions):
        raise UnsupportedInputError(
            f"{where}: dynamic partitions are not supported: their keys are only known to a Dagster instance at run "
            "time; use static or time-window partitions"
        )


def _one_pod_warning(job: dg.JobDefinition, reason: str) -> str:
    executor = job.executor_def.name if job.executor_def else "default"
    why = f" ({reason})" if reason else " (one task per op needs every handoff on shared storage)"
    return (
        f"job {job.name}: runs in one pod ({ONE_POD_ENTRY} {job.name}) with Dagster's in-process execution{why}: "
        f"its {len(_ops(job))} op(s) run one at a time there, not one pod per op, and values pass between them as "
        f"execute_in_process passes them; the {executor} executor's concurrency is not used"
    )


def _op_pod_warnings(job: dg.JobDefinition) -> list[str]:
    """One task per op: what still differs from Dagster's per-step pods (compiler/builder/op_steps.py)."""
    warnings = []  # an op's own dagster-k8s/config tag is its pod's: compiler/builder/op_pods.py
    if _pools(job):
        warnings.append(
            f"job {job.name}: every op's pod holds the pools of all its ops ({', '.join(_pools(job))}) while it "
            "runs, not only the op naming one: a stricter limit than Dagster's"
        )
    return warnings


def _retries_off_warning(job: dg.JobDefinition) -> list[str]:
    """`execute_in_process` always retries ops by their RetryPolicy (its executor ignores executor config), so an
    executor configured with `retries: disabled` loses that setting in the pod: said, not dropped silently."""
    executor = job.executor_def
    result = executor.apply_config_mapping({}) if executor is not None else None
    value = result.value if result is not None and result.success and isinstance(result.value, dict) else {}
    config = value.get("config")
    retries = config.get("retries") if isinstance(config, dict) else None
    if not isinstance(retries, dict) or "disabled" not in retries:
        return []
    return [
        f"job {job.name}: its executor's retries: disabled is not applied: the pod's in-process execution retries "
        "ops by their RetryPolicy (remove the policies to never retry)"
    ]


def _ops(job: dg.JobDefinition) -> list[tuple[str, dg.OpDefinition]]:
    """Every op of the job (inside nested graphs too), by node handle (`outer.inner`), sorted."""
    ops = []
    for handle in job.graph.iterate_node_handles():
        definition = job.graph.get_node(handle).definition
        if isinstance(definition, dg.OpDefinition):
            ops.append((str(handle), definition))
    return sorted(ops, key=lambda pair: pair[0])


def _per_op_warnings(job: dg.JobDefinition) -> list[str]:
    """Per-op pod settings have no pod of their own to apply to: named, not silently dropped."""
    warnings = []
    for name, op in _ops(job):
        if TAG in (op.tags or {}):
            warnings.append(
                f"job {job.name}: op {name}'s {TAG} tag is not applied: the job runs in one pod, which takes the "
                f"job's own {TAG} tag; set the pod settings on the job"
            )
        if op.pool:
            warnings.append(
                f"job {job.name}: op {name}'s pool {op.pool!r} is held by the job's pod for its whole run (an Argo "
                "semaphore; the ops run in one pod), not only while the op runs: a stricter limit than Dagster's"
            )
    return warnings


def read_op_job_schedule(
    schedule: dg.ScheduleDefinition, job: dg.JobDefinition, repository: Callable[[], RepositoryDefinition]
) -> ScheduleSpec:
    """A schedule of an op job: its cron and zone become the CronWorkflow's; the pod evaluates the schedule for the
    tick (compiler/materialize/op_job.py), so a SkipReason skips the run and a partitioned job gets its key. Here it
    is evaluated as for assets (once, or for sample ticks when it has code of its own) to refuse at build what the
    pod would refuse: several RunRequests in one tick, a tick that raises, and run config invalid at every sampled
    tick (no run it starts could succeed; invalid at only some is a warning: compiler/builder/run_config.py)."""
    crons = (schedule.cron_schedule,) if isinstance(schedule.cron_schedule, str) else tuple(schedule.cron_schedule)
    for cron in crons:
        problem = cron_problem(cron)
        if problem:
            raise UnsupportedInputError(f"schedule {schedule.name}: cron {cron!r} has no Argo equivalent: {problem}")
    start = max([CHECK_TIME, *_partition_starts(job)]).astimezone(UTC)
    problems: list[tuple[datetime, str]] = []
    ticks_with_runs = 0
    for tick in sample_ticks(schedule, start) if has_own_code(schedule) else [start]:
        config = _check_tick(schedule, job, tick, repository)
        if config is not None:
            ticks_with_runs += 1
            problem = tick_config_problem(job, config)
            if problem:
                problems.append((tick, problem))
    verdict = schedule_config_verdict(schedule.name, job.name, problems, ticks_with_runs)
    return ScheduleSpec(
        name=schedule.name,
        job_name=job.name,
        crons=crons,
        timezone=schedule.execution_timezone or "UTC",
        asset_keys=frozenset(),
        stopped=schedule.default_status == dg.DefaultScheduleStatus.STOPPED,
        warnings=(verdict,) if verdict else (),
    )


def _partition_starts(job: dg.JobDefinition) -> list[datetime]:
    """A schedule asking for a key before the partitions start is not refused for asking too early."""
    partitions = job.partitions_def
    dimensions = (
        [d.partitions_def for d in partitions.partitions_defs]
        if isinstance(partitions, dg.MultiPartitionsDefinition)
        else [partitions]
    )
    return [d.start + timedelta(days=400) for d in dimensions if isinstance(d, dg.TimeWindowPartitionsDefinition)]


def _check_tick(
    schedule: dg.ScheduleDefinition,
    job: dg.JobDefinition,
    tick: datetime,
    repository: Callable[[], RepositoryDefinition],
) -> Mapping[str, Any] | None:
    """The tick's run config (None: the tick runs nothing), as Dagster's `evaluate_tick` resolves it (a partitioned
    job's `PartitionedConfig` for the request's key when the schedule gives none)."""
    where = f"schedule {schedule.name}"
    try:
        with dg.build_schedule_context(scheduled_execution_time=tick, repository_def=repository()) as context:
            requests = schedule.evaluate_tick(context).run_requests or []
    except Exception as error:
        cause = error.__cause__ or error  # Dagster wraps the schedule function's own error
        raise UnsupportedInputError(
            f"{where}: evaluating its tick at {tick.isoformat()} failed ({type(cause).__name__}: {cause}); the pod "
            "evaluates it for every tick, so it must run without a Dagster instance or sensors"
        ) from None
    if len(requests) > 1:
        raise UnsupportedInputError(
            f"{where}: the tick at {tick.isoformat()} requests {len(requests)} runs of job {job.name}; its one pod "
            "runs one, so return one RunRequest per tick"
        )
    return dict(requests[0].run_config or {}) if requests else None
