"""Dependencies between assets of different cadences: what the compiler says about them.

Dagster runs a job for one partition of one partitions definition, so an hourly asset and the daily asset reading
it live in different jobs, each started by its own schedule; the daily run loads the day's hourly partitions through
the IO manager (Dagster's mapping names them), built by the hourly runs before, and fails when one is missing. Each
schedule's CronWorkflow runs its job's DAG (compiler/builder/jobs.py) and each pod resolves its own key from the tick
(compiler/materialize/partition.py), so that is what Argo does too, with no change to the pods. The `main` DAG,
though, runs one tick of every asset, so there the downstream task finds only that tick's upstream partition
built: the warning here says so, naming both assets and the mapping.
"""

import dagster as dg


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
