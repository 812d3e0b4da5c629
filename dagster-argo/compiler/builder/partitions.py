"""Which partitions definitions the compiler maps, and which dependencies between them Argo can honour.

Every pod picks its own partition by evaluating Dagster's schedule for its tick (`materialize/partition.py`), so
any `TimeWindowPartitionsDefinition` (hourly, daily with offsets, weekly, monthly, any cron) maps without the
compiler reading its cron: the CronWorkflow fires at the schedule's cron (checked tick by tick against Dagster's
own iterator) and Dagster turns each tick into a key. Static and time × static keys fan out
(compiler/builder/fan_out.py); dynamic partitions are read from the shared instance when the run starts
(dynamic_partitions.py). Dependencies
between differently partitioned assets are judged by Dagster's own mapping code (partition_mapping.py): the same
tick's partitions, or other ticks' (a different cadence, cadence.py).
"""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

from compiler.builder.cadence import CADENCE, has_time_window, one_definition, plannable
from compiler.builder.partition_mapping import mapping_verdict
from compiler.errors import UnsupportedInputError

# Deterministic reference time for checks that need "now" (key samples, a schedule's test evaluation).
CHECK_TIME = datetime(2026, 1, 1, tzinfo=UTC)


def describe_partitions(name: str, partitions: dg.PartitionsDefinition | None) -> str:
    """A one-line description of a supported partitions definition ('' when unpartitioned); exit 2 otherwise."""
    if partitions is None:
        return ""
    if isinstance(partitions, dg.TimeWindowPartitionsDefinition):
        return describe_time_window(partitions)
    kind = type(partitions).__name__
    if isinstance(partitions, dg.DynamicPartitionsDefinition) and partitions.name:
        return f"dynamic partitions {partitions.name!r}"  # keys read at run time: dynamic_partitions.py
    if isinstance(partitions, dg.DynamicPartitionsDefinition):
        why = (
            "a DynamicPartitionsDefinition without a name computes its keys with a function (deprecated in "
            "Dagster), which no pod can list; give it a name so its keys live in the Dagster instance"
        )
    else:
        why = (
            "only time-window (Hourly/Daily/Weekly/Monthly/TimeWindowPartitionsDefinition), static and "
            "time × static multi-dimensional partitions are mapped"
        )
    raise UnsupportedInputError(f"asset {name}: {kind} partitions are not supported yet: {why}")


def describe_time_window(partitions: dg.TimeWindowPartitionsDefinition) -> str:
    return (
        f"cron {partitions.cron_schedule!r} in {partitions.timezone} from {partitions.start:%Y-%m-%d %H:%M}, "
        f"end_offset={partitions.end_offset}"
    )


def check_partition_dependencies(
    graph: AssetGraph, materializable: Iterable[dg.AssetKey]
) -> tuple[dict[tuple[str, ...], tuple[str, ...]], dict[tuple[str, ...], tuple[tuple[str, ...], ...]]]:
    """Judge each dependency between two materializable assets partitioned differently
    (compiler/builder/partition_mapping.py): exit 2 only when Dagster cannot map it. Returns the approximation
    warnings (fewer partitions than the tick's, or a different cadence) by downstream key, and the upstream keys of
    another cadence `main` plans (compiler/builder/cadence.py) by downstream key."""
    tasks = set(materializable)
    warnings: dict[tuple[str, ...], tuple[str, ...]] = {}
    planned: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    # an unpartitioned asset has no dependency to judge: its parents are not read (nor the keys sorted) for it
    partitioned = {key: found for key in tasks if (found := graph.get(key).partitions_def) is not None}
    for child_key in sorted(partitioned, key=lambda k: tuple(k.path)):
        child = partitioned[child_key]
        for parent_key in sorted(graph.get(child_key).parent_keys, key=lambda k: tuple(k.path)):
            parent = graph.get(parent_key).partitions_def
            if parent_key not in tasks or parent is None or parent == child:
                continue
            if isinstance(child, dg.DynamicPartitionsDefinition) or isinstance(parent, dg.DynamicPartitionsDefinition):
                raise UnsupportedInputError(
                    f"asset {child_key.to_user_string()} ({_short(child)}) depends on asset "
                    f"{parent_key.to_user_string()} ({_short(parent)}): a dependency between dynamic partitions and "
                    "another partitions definition is not mapped yet (its keys are only known at run time); give "
                    "both assets the same DynamicPartitionsDefinition, or leave one unpartitioned"
                )
            mapping = graph.get_partition_mapping(child_key, parent_key)
            can_plan = (
                has_time_window(child)
                and one_definition(graph, child_key)  # a multi-asset's task runs every key for one partition
                and plannable(graph, parent_key, tasks)
            )
            verdict = mapping_verdict(
                child_key.to_user_string(), child, parent_key.to_user_string(), parent, mapping, can_plan
            )
            if verdict == CADENCE:
                planned[tuple(child_key.path)] = (*planned.get(tuple(child_key.path), ()), tuple(parent_key.path))
            elif verdict:
                warnings[tuple(child_key.path)] = (*warnings.get(tuple(child_key.path), ()), verdict)
    return warnings, planned


def _short(partitions: dg.PartitionsDefinition) -> str:
    if isinstance(partitions, dg.TimeWindowPartitionsDefinition):
        return f"cron {partitions.cron_schedule!r} in {partitions.timezone}"
    if isinstance(partitions, dg.DynamicPartitionsDefinition):
        return f"dynamic partitions {partitions.name!r}"
    return type(partitions).__name__


def check_job_partitions(where: str, graph: AssetGraph, selected: Iterable[tuple[str, ...]]) -> None:
    """Dagster runs a job for one partition of one partitions definition; a job mixing several cannot run. `where`
    names the job ("job J", or "schedule S: job J")."""
    by_definition: dict[dg.PartitionsDefinition, list[str]] = {}
    for key in sorted(selected):
        partitions = graph.get(dg.AssetKey(key)).partitions_def
        if partitions is not None:
            by_definition.setdefault(partitions, []).append("/".join(key))
    if len(by_definition) > 1:
        groups = "; ".join(
            f"{', '.join(assets)}: {_short(definition)}"
            for definition, assets in sorted(by_definition.items(), key=lambda item: item[1])
        )
        raise UnsupportedInputError(
            f"{where} selects assets with different partitions definitions "
            f"({groups}); a run has one partition, so give each partitions definition its own job and schedule"
        )


def schedule_check_time(graph: AssetGraph, selected: Iterable[tuple[str, ...]]) -> datetime:
    """When to evaluate a schedule once at build time: a fixed instant, moved past the start of the job's
    partitions so a schedule that requests an existing key is not refused for asking too early."""
    starts = [
        p.start
        for key in selected
        if isinstance(p := graph.get(dg.AssetKey(key)).partitions_def, dg.TimeWindowPartitionsDefinition)
    ]
    return max([CHECK_TIME, *(start + timedelta(days=400) for start in starts)]).astimezone(UTC)
