"""Backfill ranges of multi-dimensional keys: a date range × all static keys, or × the static keys chosen.

For a `MultiPartitionsDefinition` of a time-window dimension × a static one, `--start`/`--end` are keys of the time
dimension (Dagster's own `get_partition_keys` of that dimension), and each backfilled item is either the time key
alone (every static key of that window: the job's fan-out runs all of them, compiler/materialize/fan_out_key.py) or,
with `--keys`, the full `MultiPartitionKey` of each selected static key (Dagster's own string form, e.g.
`vienna|2026-11-29`; the job's other fan-out items skip). Anything else is a usage error naming the valid keys.
"""

from collections.abc import Sequence

import dagster as dg

from compiler.errors import UnsupportedInputError


def time_by_static_range(
    partitions_def: dg.MultiPartitionsDefinition,
    schedule: str,
    time_keys: Sequence[str],
    start: str,
    end: str,
    selected: Sequence[str],
) -> tuple[str, ...]:
    """The items of a backfill of `partitions_def` from `start` to `end` (time keys, inclusive)."""
    first, last = _bounds(
        schedule, time_keys, start, end, f"keys of dimension {partitions_def.time_window_dimension.name}"
    )
    window_keys = tuple(time_keys[first : last + 1])
    if not selected:
        return window_keys
    time_dimension = partitions_def.time_window_dimension.name
    [static] = [d for d in partitions_def.partitions_defs if d.name != time_dimension]
    static_keys = static.partitions_def.get_partition_keys()
    unknown = [key for key in selected if key not in static_keys]
    if unknown:
        raise UnsupportedInputError(
            f"--keys {', '.join(unknown)}: not keys of dimension {static.name} of schedule {schedule} "
            f"(its keys: {', '.join(static_keys)})"
        )
    chosen = [key for key in static_keys if key in selected]  # Dagster's order, each once
    return tuple(
        str(dg.MultiPartitionKey({time_dimension: time_key, static.name: key}))
        for time_key in window_keys
        for key in chosen
    )


def _bounds(schedule: str, keys: Sequence[str], start: str, end: str, what: str) -> tuple[int, int]:
    for option, key in (("--start", start), ("--end", end)):
        if key not in keys:
            raise UnsupportedInputError(
                f"{option} {key!r} is not a partition of schedule {schedule} ({what} today: {keys[0]}..{keys[-1]})"
                if keys
                else f"schedule {schedule} has no partitions yet"
            )
    first, last = keys.index(start), keys.index(end)
    if first > last:
        raise UnsupportedInputError(f"--start {start} is after --end {end}")
    return first, last
