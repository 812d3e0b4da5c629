"""Which partition a fanned-out pod materializes: the run request of Dagster's schedule whose static part is its key.

A static or multi-dimensional (time × static) asset runs once per static key (`withItems`, compiler/builder/fan_out.py);
its pod gets the key as `--static-key`. Precedence as for any pod (`partition.py`):
- an explicit `--partition`: a full key in Dagster's own string form (`MultiPartitionKey`: the dimension values
  joined by `|` in the order of the dimension names, e.g. `vienna|2026-11-29` for dimensions `city` and `date`),
  or for a time × static definition the time key alone (`2026-11-29`: that window for every static key). A full key
  whose static part is another item's is not this pod's work: it is skipped (None);
- otherwise Dagster's schedule is evaluated for the tick (`build_schedule_context` + `evaluate_tick`, as
  partition.py does) and the pod keeps the run request whose key has its static part. A key the schedule did not
  request for this tick is skipped too, so a tick materializes exactly what Dagster's own run requests say.
"""

from __future__ import annotations  # Dagster's types as annotations only: `build` must not import Dagster early

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from compiler.materialize.loading import MaterializeUsageError
from compiler.materialize.partition import schedules_selecting
from compiler.user_text import shortened

if TYPE_CHECKING:
    from dagster import AssetKey, Definitions, PartitionsDefinition


@dataclass(frozen=True)
class FanOutChoice:
    """The partition to materialize, or None with the reason this item has nothing to do."""

    partition: str | None
    skipped_because: str = ""


def static_part(partitions_def: PartitionsDefinition, key: str) -> str:
    """The part of a key a fan-out item stands for: the static dimension's value, else the whole key."""
    import dagster as dg

    if isinstance(partitions_def, dg.MultiPartitionsDefinition) and partitions_def.has_time_window_dimension:
        time_dimension = partitions_def.time_window_dimension.name
        values = partitions_def.get_partition_key_from_str(key).keys_by_dimension
        [other] = [value for name, value in values.items() if name != time_dimension]
        return other
    return key


def resolve_fan_out_key(
    defs: Definitions,
    asset_key: AssetKey,
    static_key: str,
    explicit: str | None,
    scheduled_time: datetime,
    now: datetime,
    schedule: str | None = None,
) -> FanOutChoice:
    import dagster as dg

    partitions_def = defs.resolve_asset_graph().get(asset_key).partitions_def
    name = asset_key.to_user_string()
    item = shortened(static_key, quoted=True)  # a workflow parameter may reach here: any length
    if not isinstance(partitions_def, dg.StaticPartitionsDefinition | dg.MultiPartitionsDefinition):
        raise MaterializeUsageError(
            f"--static-key {item}: asset {name!r} is not statically or multi-dimensionally partitioned"
        )
    if explicit and explicit.strip():
        key = _explicit_key(partitions_def, explicit.strip(), static_key, name, now)
        if static_key and static_part(partitions_def, key) != static_key:
            return FanOutChoice(
                None,
                f"partition {shortened(key, quoted=True)} was asked for, and this fan-out item is {item}",
            )
        return FanOutChoice(key)
    if not static_key:
        raise MaterializeUsageError(f"asset {name!r}: pass --static-key (its fan-out item) or --partition")
    requested = _requested_keys(defs, asset_key, scheduled_time, schedule)
    if requested is None:  # no schedule selects the asset (a manual submit): the latest window for this key
        return FanOutChoice(_latest_key(partitions_def, static_key, scheduled_time, name))
    mine = sorted({key for key in requested if static_part(partitions_def, key) == static_key})
    if not mine:
        return FanOutChoice(
            None,
            f"the schedule requested no partition with {item} for the tick at {scheduled_time.isoformat()}",
        )
    if len(mine) > 1:
        raise MaterializeUsageError(
            f"the schedule requested {len(mine)} partitions of asset {name!r} with {item} for one tick "
            f"({', '.join(mine)}); a fanned-out pod materializes one: request one per static key and tick"
        )
    return FanOutChoice(mine[0])


def _explicit_key(partitions_def: PartitionsDefinition, text: str, static_key: str, name: str, now: datetime) -> str:
    """A full key of the definition, or (time × static) a time key completed with this item's static key."""
    import dagster as dg
    from dagster._core.definitions.partitions.utils.multi import MULTIPARTITION_KEY_DELIMITER

    key = text
    if (
        isinstance(partitions_def, dg.MultiPartitionsDefinition)
        and partitions_def.has_time_window_dimension
        and MULTIPARTITION_KEY_DELIMITER not in text
    ):
        if not static_key:
            raise MaterializeUsageError(
                f"partition {shortened(text, quoted=True)} of asset {name!r}: a time key alone needs --static-key; "
                "pass the full key "
                f"({'|'.join(partitions_def.partition_dimension_names)} values joined by '|')"
            )
        time_dimension = partitions_def.time_window_dimension.name
        [other] = [d.name for d in partitions_def.partitions_defs if d.name != time_dimension]
        key = str(dg.MultiPartitionKey({time_dimension: text, other: static_key}))
    keys = partitions_def.get_partition_keys(current_time=now)
    if key not in keys:
        hint = f"e.g. {keys[-1]!r}" if keys else "it has none yet"
        raise MaterializeUsageError(
            f"partition {shortened(text, quoted=True)} does not exist for asset {name!r} (as of {now.isoformat()}); "
            "pass a key of its "
            f"partitions definition in Dagster's form ({hint})"
        )
    return key


def _requested_keys(
    defs: Definitions, asset_key: AssetKey, scheduled_time: datetime, schedule_name: str | None
) -> list[str] | None:
    """Every partition key the schedule requests for this asset at the tick; None when no schedule selects it."""
    from dagster import build_schedule_context

    repository = defs.get_repository_def()
    for schedule in schedules_selecting(repository, asset_key, schedule_name):
        with build_schedule_context(scheduled_execution_time=scheduled_time, repository_def=repository) as ctx:
            tick = schedule.evaluate_tick(ctx)
        return [
            str(request.partition_key)
            for request in tick.run_requests or []
            if request.partition_key and (request.asset_selection is None or asset_key in request.asset_selection)
        ]
    return None


def _latest_key(partitions_def: PartitionsDefinition, static_key: str, at: datetime, name: str) -> str:
    import dagster as dg

    if isinstance(partitions_def, dg.MultiPartitionsDefinition) and partitions_def.has_time_window_dimension:
        time_dimension = partitions_def.time_window_dimension
        windows = time_dimension.partitions_def.get_partition_keys(current_time=at)
        latest = windows[-1] if windows else None
        if latest is None:
            raise MaterializeUsageError(f"asset {name!r} has no partition yet at {at.isoformat()}; pass --partition")
        [other] = [d.name for d in partitions_def.partitions_defs if d.name != time_dimension.name]
        return str(dg.MultiPartitionKey({time_dimension.name: latest, other: static_key}))
    if static_key not in partitions_def.get_partition_keys(current_time=at):
        raise MaterializeUsageError(
            f"--static-key {shortened(static_key, quoted=True)} is not a partition of asset {name!r}"
        )
    return static_key
