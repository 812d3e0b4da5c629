"""Dependencies between assets of different cadences: what the compiler says about them, and how `main` plans them.

Dagster runs a job for one partition of one partitions definition, so an hourly asset and the daily asset reading
it live in different jobs, each started by its own schedule; the daily run loads the day's hourly partitions through
the IO manager (Dagster's mapping names them), built by the hourly runs before, and fails when one is missing. Each
schedule's CronWorkflow runs its job's DAG (compiler/builder/jobs.py) and each pod resolves its own key from the tick
(compiler/materialize/partition.py), so that is what Argo does too, with no change to the pods. The `main` DAG runs
one tick of every asset: for an upstream asset it can plan (`plannable`) a planning task lists the partitions the
downstream partition reads (compiler/materialize/plan_partitions.py, Dagster's mapping) and the upstream step fans
out over them (`withParam`) before the downstream runs; for any other, the warning here says that `main` builds only
that tick's upstream partition, naming both assets and the mapping.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

from compiler.builder.model import AssetSpec
from compiler.builder.naming import fit_name
from compiler.builder.plan_types import PLAN_TEMPLATE, Task

# mapping_verdict's answer for a dependency of another cadence that `main` plans (no warning: it is faithful)
CADENCE = "\0cadence"


def describe(partitions: dg.PartitionsDefinition) -> str:
    """A short name of a partitions definition for messages: its cron and zone, its dimensions, or its kind."""
    if isinstance(partitions, dg.TimeWindowPartitionsDefinition):
        return f"cron {partitions.cron_schedule!r} in {partitions.timezone}"
    if isinstance(partitions, dg.MultiPartitionsDefinition):
        return " × ".join(f"{d.name} ({describe(d.partitions_def)})" for d in partitions.partitions_defs)
    return type(partitions).__name__


def cadence_warning(
    child_name: str,
    child: dg.PartitionsDefinition,
    parent_name: str,
    parent: dg.PartitionsDefinition,
    mapping: dg.PartitionMapping,
    key: str,
    needed: list[str],
) -> str:
    """The `warning:` for a downstream partition (`key`) reading upstream partitions other ticks build."""
    shown = ", ".join(needed[:3]) + (", ..." if len(needed) > 3 else "")
    return (
        f"asset {child_name} ({describe(child)}) reads partitions of asset {parent_name} ({describe(parent)}) "
        f"that other ticks build through {type(mapping).__name__} (partition {key} reads {len(needed)}: {shown}): "
        f"as in Dagster, its own job's runs load them through the IO manager and fail naming any missing one; a "
        f"run of the `main` DAG builds only its tick's partition of asset {parent_name} before it"
    )


def plannable(graph: AssetGraph, parent: dg.AssetKey, materializable: set[dg.AssetKey]) -> bool:
    """Whether `main` can build exactly the upstream partitions a downstream partition reads: a planning task per
    upstream asset lists them (`python -m compiler plan-partitions`, Dagster's mappings, composed along every path)
    and that asset's step fans out over them (`withParam`), after the fan-outs of its own upstream assets. So the
    upstream asset and every materializable asset above it must have time windows (`has_time_window`: alone or in
    a time × static fan-out); a multi-asset's keys must share their definition, as its step runs them all for one
    partition. Any other (a static-only or static × static fan-out above) keeps the `main` warning."""
    above = [key for key in (parent, *graph.get_ancestor_asset_keys(parent)) if key in materializable]
    return all(one_definition(graph, key) and has_time_window(graph.get(key).partitions_def) for key in above)


def has_time_window(partitions: dg.PartitionsDefinition | None) -> bool:
    """Time windows, alone or as the time dimension of a time × static multi-partition (a static fan-out,
    compiler/builder/fan_out.py): the planning task lists full keys, every dimension joined as Dagster writes them
    (`graz|2026-11-28-06:00`), and the step fans out over them with `partition: {{item}}`."""
    if isinstance(partitions, dg.MultiPartitionsDefinition):
        return partitions.has_time_window_dimension
    return isinstance(partitions, dg.TimeWindowPartitionsDefinition)


def one_definition(graph: AssetGraph, key: dg.AssetKey) -> bool:
    """Whether every key of the asset's op has its partitions definition: one task, run once per partition (for a
    multi-asset, `plan-partitions` plans the union of what its keys read, compiler/materialize/plan_partitions.py)."""
    keys = graph.assets_def_for_key(key).keys
    return all(graph.get(other).partitions_def == graph.get(key).partitions_def for other in keys)


@dataclass(frozen=True)
class PlannedDependency:
    """In `main`: the planning task, the upstream step fanned out over its list, and the task it replaces."""

    plan: Task
    fan_out: Task
    replaces: str


def planned_tasks(
    asset: AssetSpec,
    by_key: Mapping[tuple[str, ...], AssetSpec],
    tasks_by_key: Mapping[tuple[str, ...], str],
    step_names: Mapping[tuple[str, ...], str],
) -> list[PlannedDependency]:
    """For each upstream asset of another cadence `main` plans, and every asset above it: `plan-<task>-<upstream>`
    runs `plan-partitions` (the partitions of that asset this asset's partition reads, by Dagster's mappings, as the
    output parameter `keys`), then `<upstream>-for-<task>` runs its step once per listed partition (`withParam`),
    after the fan-outs of its own upstream assets; this asset waits for the fan-outs of its planned upstream assets
    instead of their own tasks, which build only the tick's partition. In `by_key` order (topological)."""
    if not asset.planned_deps:
        return []  # most assets: without it, every asset walked all of `by_key` (quadratic at 10,000 assets)
    child = tasks_by_key[asset.key]
    closure: set[tuple[str, ...]] = set()
    pending = list(asset.planned_deps)
    while pending:
        key = pending.pop()
        if key not in closure and key in by_key:
            closure.add(key)
            pending.extend(by_key[key].deps)
    planned = []
    seen: set[str] = set()  # a multi-asset's keys share one task: planned once, under its first key
    for key in (k for k in by_key if k in closure):
        parent = tasks_by_key[key]
        if parent in seen:
            continue
        seen.add(parent)
        plan = fit_name(f"plan-{child}-{parent}")
        fan_out = fit_name(f"{parent}-for-{child}")
        above_tasks = {tasks_by_key[d] for d in by_key[key].deps if d in closure} - {parent}
        above = sorted(fit_name(f"{task}-for-{child}") for task in above_tasks)
        planned.append(
            PlannedDependency(
                plan=Task(plan, PLAN_TEMPLATE, asset.key_path, (), upstream=by_key[key].key_path),
                fan_out=Task(
                    fan_out,
                    step_names[key],
                    by_key[key].asset_argument(None),
                    (plan, *above),
                    with_param=f"{{{{tasks.{plan}.outputs.parameters.keys}}}}",
                ),
                replaces=parent if set(by_key[key].all_keys) & set(asset.planned_deps) else "",
            )
        )
    return planned
