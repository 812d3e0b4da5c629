"""Partition mappings between differently partitioned assets, judged by Dagster's own mapping code.

In one workflow run every task builds the partitions of one tick: a time-window asset that tick's window, a
static or multi-dimensional asset every static key (its fan-out, compiler/builder/fan_out.py) of that window. A
downstream task waits for its upstream task (for a fan-out, for every key of it). For every sampled downstream key,
`get_upstream_mapped_partitions_result_for_partitions` of the asset's partition mapping (identity,
`TimeWindowPartitionMapping`, `StaticPartitionMapping`, `AllPartitionMapping`,
`MultiToSingleDimensionPartitionMapping`, or whatever Dagster infers) says which upstream partitions it reads:
- exactly the tick's partitions (e.g. daily → date × city, date × city → daily fan-in over the cities, static →
  static with `AllPartitionMapping`): mapped faithfully;
- fewer (e.g. a `StaticPartitionMapping` reading one upstream key): the downstream still waits for the whole
  upstream fan-out, so a failing unrelated key holds it back; mapped with a `warning:` naming both assets;
- partitions other ticks build (offsets to earlier windows, hourly → daily, `AllPartitionMapping` over a time
  dimension, windows in different zones or cadences): a different cadence (compiler/builder/cadence.py). As in
  Dagster, each asset's own job and schedule builds its partitions, and the downstream pod loads the partitions
  its mapping names through the IO manager (a missing one fails the step, as in Dagster); a `warning:` says that
  the `main` DAG, which runs one tick of every asset, builds only that tick's upstream partitions first.
Only a pair Dagster itself cannot map is exit 2. Nothing here re-implements a mapping: the compiler only compares
Dagster's answer with the tick's partitions.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import dagster as dg
from dagster._core.definitions.partitions.context import partition_loading_context

from compiler.builder.cadence import CADENCE, cadence_warning, describe
from compiler.errors import UnsupportedInputError

CHECK_TIME = datetime(2026, 1, 1, tzinfo=UTC)  # as compiler/builder/partitions.py: verdicts never depend on today


def mapping_verdict(
    child_name: str,
    child: dg.PartitionsDefinition,
    parent_name: str,
    parent: dg.PartitionsDefinition,
    mapping: dg.PartitionMapping,
    planned: bool = False,
) -> str | None:
    """None when each sampled downstream key needs exactly the tick's upstream partitions; a warning when it needs
    fewer, or partitions other ticks build (a different cadence: CADENCE instead when `main` plans them, `planned`);
    exit 2 when Dagster cannot map the pair."""
    at = _check_time(child, parent)
    fewer = 0
    for key in _sample_keys(child, at):
        try:
            with partition_loading_context(effective_dt=at):  # "now" for every key list Dagster reads inside
                result = mapping.get_upstream_mapped_partitions_result_for_partitions(
                    child.subset_with_partition_keys([key]), child, parent, current_time=at
                )
        except Exception as error:  # Dagster refuses the pair (e.g. windows in two time zones)
            raise _refusal(
                child_name, child, parent_name, parent, mapping, f"Dagster cannot map it ({error})"
            ) from None
        needed = {str(k) for k in result.partitions_subset.get_partition_keys()}
        missing = {str(k) for k in result.required_but_nonexistent_subset.get_partition_keys()}
        tick = _tick_partitions(child, key, parent, at)
        outside = sorted(needed | missing) if tick is None else sorted((needed | missing) - tick)
        if outside:
            return (
                CADENCE if planned else cadence_warning(child_name, child, parent_name, parent, mapping, key, outside)
            )
        assert tick is not None
        fewer += needed != tick
    if fewer:
        return (
            f"asset {child_name}: waits for every partition of asset {parent_name} its tick builds, while "
            f"{type(mapping).__name__} needs only some of them (Dagster's mapping); a failing one it does not "
            "read still holds it back"
        )
    return None


def _refusal(
    child_name: str,
    child: dg.PartitionsDefinition,
    parent_name: str,
    parent: dg.PartitionsDefinition,
    mapping: dg.PartitionMapping,
    why: str,
) -> UnsupportedInputError:
    return UnsupportedInputError(
        f"asset {child_name} depends on asset {parent_name}, partitioned differently ({describe(child)} vs "
        f"{describe(parent)}) through {type(mapping).__name__}: {why}; Dagster's own runs of asset "
        f"{child_name} would fail on it too, so fix the partition mapping or the partitions definitions"
    )


def _window(partitions: dg.PartitionsDefinition) -> dg.TimeWindowPartitionsDefinition | None:
    if isinstance(partitions, dg.TimeWindowPartitionsDefinition):
        return partitions
    if isinstance(partitions, dg.MultiPartitionsDefinition) and partitions.has_time_window_dimension:
        return partitions.time_window_partitions_def
    return None


def _time_part(partitions: dg.PartitionsDefinition, key: str) -> str | None:
    if isinstance(partitions, dg.TimeWindowPartitionsDefinition):
        return key
    if isinstance(partitions, dg.MultiPartitionsDefinition) and partitions.has_time_window_dimension:
        return partitions.get_partition_key_from_str(key).keys_by_dimension[partitions.time_window_dimension.name]
    return None


def reads_own_partition(
    child: dg.PartitionsDefinition, parent: dg.PartitionsDefinition, mapping: dg.PartitionMapping
) -> bool:
    """Whether, for every sampled key, the mapping reads exactly the upstream partition of the same key (both assets
    of one definition): what one Dagster run of one partition materializes for both (compiler/builder/pod_local.py).
    A pair Dagster cannot map reads nothing of its own."""
    if child != parent:
        return False
    if isinstance(mapping, dg.IdentityPartitionMapping):  # also dynamic keys, which need an instance to list
        return True
    at = _check_time(child, parent)
    try:
        keys = list(_sample_keys(child, at))
    except Exception:  # keys only an instance knows: no sample to judge by
        return False
    for key in keys:
        try:
            with partition_loading_context(effective_dt=at):
                result = mapping.get_upstream_mapped_partitions_result_for_partitions(
                    child.subset_with_partition_keys([key]), child, parent, current_time=at
                )
        except Exception:
            return False
        needed = {str(k) for k in result.partitions_subset.get_partition_keys()}
        missing = {str(k) for k in result.required_but_nonexistent_subset.get_partition_keys()}
        if needed != {key} or missing:
            return False
    return True


def _tick_partitions(
    child: dg.PartitionsDefinition, key: str, parent: dg.PartitionsDefinition, at: datetime
) -> set[str] | None:
    """The upstream partitions built in the tick that builds downstream `key`; None when that is unknowable."""
    parent_window = _window(parent)
    if parent_window is None:  # static (or static × static): the fan-out builds every key each tick
        return {str(k) for k in parent.get_partition_keys(current_time=at)}
    child_window, time_key = _window(child), _time_part(child, key)
    if child_window is None or time_key is None:
        return set()  # a static downstream key runs in every tick: any window it reads is another tick's too
    same_windows = (child_window.cron_schedule, child_window.timezone, child_window.fmt) == (
        parent_window.cron_schedule,
        parent_window.timezone,
        parent_window.fmt,
    )
    if not same_windows:
        return None
    if isinstance(parent, dg.TimeWindowPartitionsDefinition):
        return {time_key}
    assert isinstance(parent, dg.MultiPartitionsDefinition)
    return {
        str(k) for k in parent.get_multipartition_keys_with_dimension_value(parent.time_window_dimension.name, time_key)
    }


def _check_time(*definitions: dg.PartitionsDefinition) -> datetime:
    """A fixed instant after both definitions started, so both have keys to sample."""
    starts = [w.start for d in definitions if (w := _window(d)) is not None]
    return max([CHECK_TIME, *(start + timedelta(days=400) for start in starts)]).astimezone(UTC)


def _sample_keys(partitions: dg.PartitionsDefinition, at: datetime) -> Iterable[str]:
    """First, middle and last windows (each with every static key), or every static key."""
    keys = [str(k) for k in partitions.get_partition_keys(current_time=at)]
    window = _window(partitions)
    if window is None or not keys:
        return keys
    windows = window.get_partition_keys(current_time=at)
    chosen = {windows[0], windows[len(windows) // 2], windows[-1]} if windows else set()
    return [key for key in keys if _time_part(partitions, key) in chosen]
