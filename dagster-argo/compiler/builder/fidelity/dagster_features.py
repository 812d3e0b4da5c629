"""Every field of the Dagster definitions the compiler reads, with what the compiler does about it.

One verdict per field: MAPPED (turned into Argo, or honoured because each pod runs Dagster's own code for its asset),
WARNED (an approximation: `build` prints a `warning:` line naming the asset and the difference) or REFUSED (exit 2
naming the asset, the feature and the fix; some values of a field may be mapped and others refused). A test
(tests/compiler/test_dagster_features.py) walks the signatures and properties of these Dagster objects and fails on
a field missing here, so a Dagster upgrade cannot add a feature the compiler silently drops. The approximations
detected here (`feature_warnings`) are printed by `build` like the others.
"""

from collections.abc import Iterable
from enum import Enum

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

from compiler.builder.asset_order import nodes_in_key_order
from compiler.builder.fidelity.schedule_jobs import asset_jobs
from compiler.errors import UnsupportedInputError


class Verdict(Enum):
    MAPPED = "mapped"
    WARNED = "warned"
    REFUSED = "refused"


M, W, R = Verdict.MAPPED, Verdict.WARNED, Verdict.REFUSED
IN_POD = "the pod runs the asset with Dagster's own code, which honours it"
UI = "shown by Dagster's UI only; it changes nothing a run does"

_ASSET = {
    "compute_fn": (M, IN_POD),
    "name": (M, "the asset key / task name"),
    "key_prefix": (M, "part of the asset key"),
    "key": (M, "the asset key: task name and --asset argument"),
    "ins": (M, "dependencies: depends; the value loads through the IO manager (pod-local handoffs refused)"),
    "deps": (M, "depends"),
    "metadata": (M, UI),
    "tags": (M, UI),
    "description": (M, "task argument and pod annotation dagster.io/description"),
    "config_schema": (M, "defaults apply in the pod; config without a default is refused"),
    "required_resource_keys": (M, IN_POD + "; their EnvVars must be mapped (resource_env.py)"),
    "resource_defs": (M, IN_POD),
    "hooks": (M, IN_POD),
    "io_manager_def": (M, IN_POD + "; pod-local handoffs refused (io_handoff.py)"),
    "io_manager_key": (M, IN_POD + "; pod-local handoffs refused (io_handoff.py)"),
    "dagster_type": (M, IN_POD),
    "partitions_def": (M, "time windows, static, time × static and dynamic (shared instance) mapped, others refused"),
    "op_tags": (M, "dagster-k8s/config mapped (dagster_k8s.py); other tags in the pod"),
    "group_name": (M, UI),
    "output_required": (W, "no output: Dagster skips downstream assets, Argo runs them (feature_warnings)"),
    "automation_condition": (R, "on_cron on unpartitioned roots mapped (automation.py), every other refused"),
    "freshness_policy": (W, "unmapped.py"),
    "backfill_policy": (W, "compiler backfill runs one step per partition (feature_warnings)"),
    "retry_policy": (M, "retryStrategy (retry.py)"),
    "code_version": (M, UI),
    "check_specs": (M, "the checks run in their asset's pod"),
    "owners": (M, "task argument and pod annotation dagster.io/owners"),
    "kinds": (M, UI),
    "pool": (M, "Argo semaphore limited by [tool.compiler.pools] (pools.py); no limit: refused"),
    "is_virtual": (R, "virtual assets are refused (refuse_unsupported)"),
    "outs": (M, "a multi-asset's keys: one task"),
    "internal_asset_deps": (M, "dependencies between a multi-asset's keys stay inside its op"),
    "can_subset": (M, "a job's subset of the keys is passed to the step (multi_asset.py)"),
    "specs": (M, "a multi-asset's keys: one task"),
    "skippable": (W, "no output: Dagster skips downstream assets, Argo runs them (feature_warnings)"),
    "compose_fn": (M, "the graph runs in one pod (graph_asset.py)"),
    "config": (M, "a graph's config defaults apply in the pod; without a default refused"),
}
_CHECK = {
    "asset": (M, "the check runs in this asset's pod"),
    "name": (M, IN_POD),
    "description": (M, UI),
    "blocking": (M, "a failed blocking check exits 3 (not retried); downstream tasks do not run"),
    "additional_ins": (M, "a standalone check's own task after its asset and these (builder/check_tasks.py)"),
    "additional_deps": (M, "a standalone check's own task after its asset and these (builder/check_tasks.py)"),
    "required_resource_keys": (M, IN_POD + "; their EnvVars must be mapped"),
    "resource_defs": (M, IN_POD),
    "config_schema": (M, "defaults apply in the pod"),
    "compute_kind": (M, UI),
    "op_tags": (W, "the check runs in its asset's pod, with the asset's pod settings (feature_warnings)"),
    "retry_policy": (W, "the pod runs with Dagster retries off; the check is not retried alone (feature_warnings)"),
    "metadata": (M, UI),
    "automation_condition": (W, "checks run with their asset's step only (feature_warnings)"),
    "pool": (W, "the check runs in its asset's pod, holding the asset's semaphores only (feature_warnings)"),
    "partitions_def": (M, IN_POD),
}
_SCHEDULE = {
    "name": (M, "CronWorkflow name and the workflow parameter schedule"),
    "cron_schedule": (M, "schedules (ticks checked against Dagster's)"),
    "job_name": (M, "resolved against Definitions(jobs=...) (schedule_jobs.py)"),
    "job": (M, "the job's DAG is the CronWorkflow's entrypoint"),
    "target": (M, "the job's DAG is the CronWorkflow's entrypoint"),
    "run_config": (M, "each pod evaluates the schedule for its tick (materialize/run_config.py); invalid refused"),
    "run_config_fn": (M, "each pod evaluates it for its tick; a sample tick's invalid config refused (run_config.py)"),
    "tags": (W, "run tags are not passed to the pods (feature_warnings)"),
    "tags_fn": (W, "run tags are not passed to the pods (feature_warnings)"),
    "metadata": (M, UI),
    "should_execute": (M, "the schedule-gate task skips the tick (schedule_gate.py)"),
    "execution_fn": (M, "the schedule-gate task evaluates it per tick (schedule_gate.py)"),
    "environment_vars": (W, "not set in the pods (feature_warnings)"),
    "execution_timezone": (M, "timezone"),
    "description": (M, UI),
    "default_status": (M, "STOPPED → suspend: true"),
    "required_resource_keys": (R, "the schedule is evaluated without resources; evaluating it fails the build"),
    "owners": (M, UI),
}
_JOB = {
    "name": (M, "job-<name> DAG"),
    "selection": (M, "the DAG's tasks"),
    "config": (
        M,
        "dict, ConfigMapping, PartitionedConfig: each pod builds its run config (materialize/run_config.py)",
    ),
    "description": (M, UI),
    "tags": (R, "dagster-k8s/config refused (jobs.py: one step template per asset); other tags warned"),
    "run_tags": (W, "run tags are not passed to the pods (feature_warnings)"),
    "metadata": (M, UI),
    "partitions_def": (M, "checked against its assets' definitions"),
    "executor_def": (M, "max_concurrent → DAG parallelism, the rest warned (executor_concurrency.py)"),
    "hooks": (W, "each pod runs its asset's own job, without the job's hooks (feature_warnings)"),
    "op_retry_policy": (R, "refused: set RetryPolicy on the assets"),
    "owners": (M, UI),
    "automation_condition": (R, "as an asset's: on_cron over unpartitioned roots mapped (automation.py), else refused"),
}
_DEFINITIONS = {
    "assets": (M, "one task per op"),
    "schedules": (M, "CronWorkflows"),
    "sensors": (W, "new_object_sensor → Argo Events EventSource + Sensor (warned: push, not poll); others refused"),
    "jobs": (M, "job DAGs; an op/graph job runs whole in one pod (op_jobs.py, warned)"),
    "resources": (M, IN_POD),
    "executor": (M, "max_concurrent → DAG parallelism, the rest warned (executor_concurrency.py)"),
    "loggers": (W, "the pods log with Dagster's default console logger (feature_warnings)"),
    "asset_checks": (M, "run in their asset's pod"),
    "metadata": (M, UI),
    "component_tree": (M, "how the Definitions were assembled; the compiler reads the result"),
}
_RUN_REQUEST = {
    "run_key": (M, "one workflow per tick already; Argo names it after the tick"),
    "run_config": (M, "each pod evaluates the schedule for its tick and takes it (materialize/run_config.py)"),
    "tags": (W, "run tags are not passed to the pods (feature_warnings for schedule tags)"),
    "job_name": (R, "a request for another job is refused (tick_selection.py)"),
    "asset_selection": (M, "the schedule-gate skips unselected tasks"),
    "stale_assets_only": (R, "refused (tick_selection.py): Argo cannot see staleness"),
    "partition_key": (M, "the pod builds that partition (partition.py)"),
    "asset_check_keys": (R, "refused (tick_selection.py): checks run with their asset"),
}
_RETRY = {name: (M, "retryStrategy (retry.py)") for name in ("max_retries", "delay", "backoff", "jitter")}

# The graph's view of an asset (AssetNode), read by load.py and the fidelity checks.
_NODE = {
    "auto_materialize_policy": (R, "legacy automation: refused like automation_condition"),
    "auto_observe_interval_minutes": (W, "observable source assets are inputs; no observation (observable_sources.py)"),
    "automation_condition": _ASSET["automation_condition"],
    "backfill_policy": _ASSET["backfill_policy"],
    "check_keys": _ASSET["check_specs"],
    "child_entity_keys": (M, "depends"),
    "parent_entity_keys": (M, "depends"),
    "code_version": (M, UI),
    "description": _ASSET["description"],
    "execution_set_asset_keys": (M, "a multi-asset's keys: one task"),
    "execution_set_entity_keys": (M, "a multi-asset's keys and checks: one task"),
    "execution_type": (M, "materializable → task; external and observable → input only"),
    "freshness_policy": _ASSET["freshness_policy"],
    "freshness_policy_or_from_metadata": _ASSET["freshness_policy"],
    "legacy_freshness_policy": _ASSET["freshness_policy"],
    "group_name": (M, UI),
    "has_self_dependency": (M, "a partitioned self-dependency reads earlier partitions built by earlier ticks"),
    "io_manager_key": _ASSET["io_manager_key"],
    "is_executable": (M, "tasks for materializable assets only"),
    "is_external": (M, "external assets are inputs, no task"),
    "is_materializable": (M, "tasks for materializable assets only"),
    "is_observable": (W, "an input only, its observation not run: a warning (observable_sources.py)"),
    "is_partitioned": _ASSET["partitions_def"],
    "is_virtual": _ASSET["is_virtual"],
    "kinds": (M, UI),
    "metadata": (M, UI),
    "owners": _ASSET["owners"],
    "partition_mappings": (M, "judged by Dagster's own mapping code (partition_mapping.py, cadence.py)"),
    "partitions_def": _ASSET["partitions_def"],
    "pools": _ASSET["pool"],
    "tags": (M, UI),
}

ONE_POD = "an op job runs whole in one pod with execute_in_process (op_jobs.py), which applies it as Dagster does"
_OP_JOB = {  # @job / GraphDefinition.to_job: compiler/builder/op_jobs.py
    "compose_fn": (M, ONE_POD),
    "name": (M, "job-<name> DAG"),
    "description": (M, UI),
    "resource_defs": (M, ONE_POD),
    "config": (M, "defaults and partitioned config applied in the pod; a field without a default refused"),
    "tags": (M, "dagster-k8s/config → the pod's settings; the rest are run tags, applied in the pod"),
    "run_tags": (M, ONE_POD),
    "metadata": (M, UI),
    "logger_defs": (M, ONE_POD),
    "executor_def": (W, "in-process in one pod: the executor's concurrency is not used (the one-pod warning)"),
    "hooks": (M, ONE_POD),
    "op_retry_policy": (M, ONE_POD),
    "partitions_def": (M, "the pod picks the key from the schedule's run request, as for assets"),
    "input_values": (M, ONE_POD),
    "owners": (M, UI),
}
_OP = {  # the ops of an op job (compiler/builder/op_jobs.py)
    "compute_fn": (M, ONE_POD),
    "name": (M, ONE_POD),
    "description": (M, UI),
    "ins": (M, ONE_POD),
    "out": (M, "DynamicOut, Out(is_required=False): " + ONE_POD),
    "config_schema": (M, "defaults applied in the pod; a field without a default refused with the job"),
    "required_resource_keys": (M, ONE_POD),
    "tags": (W, "dagster-k8s/config of one op is not applied (the job's pod takes the job's tag): warned"),
    "version": (M, ONE_POD),
    "retry_policy": (M, ONE_POD),
    "code_version": (M, ONE_POD),
    "pool": (W, "an Argo semaphore the job's pod holds for the whole run (stricter than Dagster's; warned)"),
}
FEATURES: dict[str, dict[str, tuple[Verdict, str]]] = {
    "asset": _ASSET,
    "multi_asset": _ASSET,
    "graph_asset": _ASSET,
    "graph_multi_asset": _ASSET,
    "AssetSpec": _ASSET,
    "asset_check": _CHECK,
    "AssetCheckSpec": _CHECK,
    "ScheduleDefinition": _SCHEDULE,
    "schedule": _SCHEDULE,
    "define_asset_job": _JOB,
    "Definitions": _DEFINITIONS,
    "RunRequest": _RUN_REQUEST,
    "RetryPolicy": _RETRY,
    "AssetNode": _NODE,
    "job": _OP_JOB,
    "op": _OP,
}


def refuse_unsupported(graph: AssetGraph) -> None:
    """The REFUSED fields no other module refuses."""
    for node in nodes_in_key_order(graph):
        if node.is_virtual:
            raise UnsupportedInputError(
                f"asset {node.key.to_user_string()}: virtual assets (is_virtual=True) are not supported: Dagster "
                "never materializes them, and Argo has no task for a view; make it a regular or external asset"
            )


def feature_warnings(defs: dg.Definitions, graph: AssetGraph) -> tuple[str, ...]:
    """One line per WARNED field in use (freshness and executors: unmapped.py, executor_concurrency.py)."""
    return (*_asset_warnings(graph), *_check_warnings(graph), *_job_warnings(defs), *_definitions_warnings(defs))


def _asset_warnings(graph: AssetGraph) -> Iterable[str]:
    seen: set[int] = set()
    for node in nodes_in_key_order(graph):
        if not node.is_materializable or id(node.assets_def) in seen:
            continue
        seen.add(id(node.assets_def))
        assets_def, name = node.assets_def, node.key.to_user_string()
        optional = sorted(
            assets_def.keys_by_output_name[out.name].to_user_string()
            for out in assets_def.node_def.output_defs
            if not out.is_required and out.name in assets_def.keys_by_output_name
        )
        if optional:
            yield (
                f"asset {name}: output(s) {', '.join(optional)} are optional (output_required=False/skippable); when "
                "the op yields none, Dagster skips the downstream assets, Argo still runs their tasks"
            )
        if assets_def.backfill_policy is not None:
            yield (
                f"asset {name}: backfill_policy is not mapped; `compiler backfill` runs one step per partition "
                "whatever the policy"
            )


def _check_warnings(graph: AssetGraph) -> Iterable[str]:
    standalone = [a for a in graph.assets_defs if a.is_executable and not a.keys and a.check_specs]
    for assets_def in sorted(standalone, key=lambda a: a.node_def.name):  # an asset's own checks share its op;
        # external assets (AssetSpec, SourceAsset) have no op at all
        op = assets_def.node_def
        check = ", ".join(sorted(spec.name for spec in assets_def.check_specs))
        if getattr(op, "retry_policy", None) is not None:
            yield (
                f"asset check {check}: retry_policy is not mapped; the check runs in its asset's pod with Dagster's "
                "retries off, so a failing check is not retried alone"
            )
        if any(key.startswith("dagster-k8s/") for key in (op.tags or {})):
            yield f"asset check {check}: dagster-k8s/config is not mapped; the check runs in its asset's pod"
        if getattr(op, "pools", None):
            yield f"asset check {check}: pool is not mapped; the check runs in its asset's pod and step"
        if any(spec.automation_condition is not None for spec in assets_def.check_specs):
            yield f"asset check {check}: automation_condition is not mapped; it runs with its asset's step only"


def _job_warnings(defs: dg.Definitions) -> Iterable[str]:
    for job in asset_jobs(defs):  # scheduled or not: each has its job-<job> DAG
        if getattr(job, "hooks", None):
            yield f"job {job.name}: hooks are not mapped; each pod runs its asset's own job, without the job's hooks"
        other_tags = sorted(k for k in (getattr(job, "tags", None) or {}) if not k.startswith("dagster-k8s/"))
        if other_tags or getattr(job, "run_tags", None):
            yield f"job {job.name}: run tags ({', '.join(other_tags) or 'run_tags'}) are not passed to the pods' runs"
    for schedule in sorted(defs.schedules or [], key=lambda s: s.name):
        if isinstance(schedule, dg.ScheduleDefinition) and (schedule.tags or _custom_tags(schedule)):
            yield f"schedule {schedule.name}: run tags are not passed to the pods' runs"
        if isinstance(schedule, dg.ScheduleDefinition) and schedule.environment_vars:
            yield f"schedule {schedule.name}: environment_vars are not set in the pods; use [tool.compiler] env"


def _custom_tags(schedule: dg.ScheduleDefinition) -> bool:
    tags_fn = getattr(schedule, "_tags_fn", None)
    return tags_fn is not None and not getattr(tags_fn, "__qualname__", "").startswith("ScheduleDefinition.__init__")


def _definitions_warnings(defs: dg.Definitions) -> Iterable[str]:
    if defs.loggers:
        yield (
            f"loggers {', '.join(sorted(defs.loggers))}: not mapped; the pods log with Dagster's default console "
            "logger to the pod log"
        )
