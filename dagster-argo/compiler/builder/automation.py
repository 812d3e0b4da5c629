"""`AutomationCondition.on_cron(...)` on root assets → a CronWorkflow, like a schedule; other conditions refused.

For an asset without dependencies, on_cron requests one run after each cron tick (its "all deps updated since the
tick" part holds trivially), which is what a CronWorkflow does. Dagster's default automation condition sensor
evaluates it (every ~30 s) and starts STOPPED, so the CronWorkflow is emitted suspended, as a STOPPED schedule is; an
explicit AutomationConditionSensorDefinition selecting the asset decides with its own default_status instead
(automation_sensors.py).
`AutomationCondition.eager()` downstream of compiled assets is compiled to Argo Events instead (eager.py). Anything
else that waits on other assets (on_cron with dependencies, on_missing...) needs Dagster's asset-state evaluation,
which Argo does not have: refused with the condition's name.

A job-scoped condition is handled like an asset's: `any_job_root_assets_match(on_cron(...))` (or `all_...`) over a
job whose root assets have no dependencies and no partitions launches the whole job after each tick, so its
CronWorkflow (suspended) runs the job's `job-<job>` DAG; any other job condition is refused naming the job.
"""

from collections.abc import Mapping

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

from compiler.builder.asset_order import nodes_in_key_order
from compiler.builder.automation_sensors import DEFAULT, Evaluator
from compiler.builder.fidelity.on_cron_ticks import with_tick_cover
from compiler.builder.fidelity.schedule_jobs import asset_jobs
from compiler.builder.model import JobSpec, ScheduleSpec
from compiler.errors import UnsupportedInputError
from compiler.sensors.eager import is_eager
from compiler.validate.cron import cron_problem


def automation_schedules(
    graph: AssetGraph, evaluated_by: Mapping[tuple[str, ...], Evaluator] | None = None
) -> list[ScheduleSpec]:
    """One ScheduleSpec per distinct (cron, zone) and automation condition sensor evaluating it (its default_status
    is the CronWorkflow's suspend: automation_sensors.py), over the assets (all keys of their ops) that use it."""
    evaluated_by = evaluated_by or {}
    groups: dict[tuple[str, str, Evaluator], set[tuple[str, ...]]] = {}
    for node in nodes_in_key_order(graph):
        condition = node.automation_condition
        if condition is None or not node.is_materializable:
            continue
        if is_eager(condition):  # downstream of compiled assets: Argo Events (compiler/builder/eager.py)
            continue
        name = node.key.to_user_string()
        cron = _on_cron(condition)
        if cron is None:
            raise UnsupportedInputError(
                f"asset {name}: automation condition {condition.get_label() or type(condition).__name__} is not "
                "supported: Argo runs workflows on a clock, it cannot watch other assets' state; use "
                "AutomationCondition.on_cron(...) on a root asset, a schedule, or an @asset_sensor on its upstream "
                "asset targeting a job of it (compiled to Argo Events)"
            )
        if node.parent_keys:
            raise UnsupportedInputError(
                f"asset {name}: {condition.get_label()} waits for its dependencies to update after each tick, "
                "which Argo cannot observe; put the assets in a job with a schedule instead"
            )
        if node.partitions_def is not None:
            raise UnsupportedInputError(
                f"asset {name}: {condition.get_label()} on a partitioned asset is not supported; the pod picks "
                "partitions from a schedule: use build_schedule_from_partitioned_job"
            )
        problem = cron_problem(cron[0])
        if problem:
            raise UnsupportedInputError(f"asset {name}: cron {cron[0]!r} has no Argo equivalent: {problem}")
        keys = {tuple(k.path) for k in node.assets_def.keys if graph.get(k).is_materializable}
        evaluator = evaluated_by.get(tuple(node.key.path), DEFAULT)
        groups.setdefault((*cron, evaluator), set()).update(keys)
    schedules = []
    for (cron_entry, zone, evaluator), keys in sorted(groups.items(), key=lambda g: (g[0][:2], sorted(g[1]))):
        first = "_".join(sorted(keys)[0])
        spec = ScheduleSpec(
            name=f"on_cron_{first}",
            job_name=f"on_cron_{first}",
            crons=(cron_entry,),
            timezone=zone,
            asset_keys=frozenset(keys),
            stopped=evaluator.stopped,
            warnings=evaluator.warnings,
        )
        schedules.append(with_tick_cover(spec, f"asset {'/'.join(sorted(keys)[0])}"))  # DST: on_cron_ticks.py
    return schedules


def job_automation_schedules(defs: dg.Definitions, graph: AssetGraph, jobs: tuple[JobSpec, ...]) -> list[ScheduleSpec]:
    """One suspended ScheduleSpec per job whose automation condition is on_cron over its root assets."""
    selected = {job.name: job.asset_keys for job in jobs}
    schedules = []
    for job in asset_jobs(defs):
        condition = job.automation_condition
        if condition is None:
            continue
        operand = getattr(condition, "operand", None)
        cron = _on_cron(operand) if type(condition).__name__ in JOB_ROOT_CONDITIONS and operand else None
        if cron is None:
            raise UnsupportedInputError(
                f"job {job.name}: automation condition {condition.get_label() or type(condition).__name__} is not "
                "supported: Argo runs workflows on a clock, it cannot watch assets' state; use "
                "AutomationCondition.any_job_root_assets_match(AutomationCondition.on_cron(...)), or a schedule"
            )
        keys = selected[job.name]
        for key in sorted(keys):
            node = graph.get(dg.AssetKey(key))
            in_job = {parent for parent in node.parent_keys if tuple(parent.path) in keys}
            if node.parent_keys and not in_job:
                raise UnsupportedInputError(
                    f"job {job.name}: {condition.get_label()} waits for the dependencies of its root asset "
                    f"{node.key.to_user_string()} to update after each tick, which Argo cannot observe; use a "
                    "schedule on the job instead"
                )
            if node.partitions_def is not None:
                raise UnsupportedInputError(
                    f"job {job.name}: {condition.get_label()} on partitioned assets is not supported; the pod picks "
                    "partitions from a schedule: use build_schedule_from_partitioned_job"
                )
        problem = cron_problem(cron[0])
        if problem:
            raise UnsupportedInputError(f"job {job.name}: cron {cron[0]!r} has no Argo equivalent: {problem}")
        spec = ScheduleSpec(
            name=f"automation_{job.name}",
            job_name=job.name,
            crons=(cron[0],),
            timezone=cron[1],
            asset_keys=keys,
            stopped=True,
        )
        schedules.append(with_tick_cover(spec, f"job {job.name}"))
    return schedules


JOB_ROOT_CONDITIONS = ("AnyJobRootAssetsMatchCondition", "AllJobRootAssetsMatchCondition")


def _on_cron(condition: dg.AutomationCondition) -> tuple[str, str] | None:
    """(cron, zone) when the condition is exactly AutomationCondition.on_cron(cron, zone)."""
    for found in _walk(condition):
        cron = getattr(found, "cron_schedule", None)
        zone = getattr(found, "cron_timezone", None)
        if type(found).__name__ == "CronTickPassedCondition" and isinstance(cron, str) and isinstance(zone, str):
            expected = dg.AutomationCondition.on_cron(cron, zone)
            return (cron, zone) if condition == expected or condition.get_label() == expected.get_label() else None
    return None


def _walk(condition: dg.AutomationCondition) -> list[dg.AutomationCondition]:
    found = [condition]
    for child in getattr(condition, "children", ()):
        found.extend(_walk(child))
    return found
