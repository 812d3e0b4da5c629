"""Which partition a pod materializes: the explicit one, else the one Dagster's own schedule picks for the tick.

Precedence: explicit `--partition` > the `argo cron backfill` date (`--backfill-time`) > the cron tick
(`--scheduled-time`) > the workflow's creation time (`--created-time`) > now.
"""

from __future__ import annotations  # Dagster's types as annotations only: `build` must not import Dagster early

import re
from datetime import datetime
from typing import TYPE_CHECKING

from compiler.argo import BACKFILL_PARAMETER, CREATION_TIMESTAMP, SCHEDULED_TIME, placeholder
from compiler.materialize.dynamic_keys import dynamic_partition_key, is_dynamic
from compiler.materialize.loading import MaterializeUsageError
from compiler.user_text import shortened

if TYPE_CHECKING:
    from collections.abc import Iterator

    from dagster import AssetKey, Definitions, RepositoryDefinition, ScheduleDefinition

# Argo leaves this literal in place for workflows not created by the cron controller.
SCHEDULED_TIME_PLACEHOLDER = placeholder(SCHEDULED_TIME)
# Set for every workflow and the same in all its pods; literal only when something else runs the step.
CREATED_TIME_PLACEHOLDER = placeholder(CREATION_TIMESTAMP)


# Go's time.Time.String(), which `argo cron backfill` passes whatever its --format: "2026-10-25 01:00:00 +0000 UTC".
_GO_TIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2}) (?P<time>\d{2}:\d{2}:\d{2})(?P<fraction>\.\d+)? (?P<offset>[+-]\d{4})"
    r"(?: [^ ]+)?(?: m=[+-][0-9.]+)?$"
)


def parse_backfill_time(raw: str | None) -> datetime | None:
    """The date `argo cron backfill` passes as the workflow parameter `cronScheduleTime`: Go's Time.String() form
    (ISO 8601 is accepted too); empty or the literal placeholder → None."""
    text = (raw or "").strip()
    if not text or text == placeholder(f"workflow.parameters.{BACKFILL_PARAMETER}"):
        return None
    match = _GO_TIME.match(text)
    if match:
        fraction = (match["fraction"] or "")[:7]  # Python keeps microseconds
        return datetime.fromisoformat(f"{match['date']}T{match['time']}{fraction}{match['offset']}")
    return _parse_time(text, "", "--backfill-time")


def parse_scheduled_time(
    raw: str | None, now: datetime, created: str | None = None, backfill: str | None = None
) -> datetime:
    """The tick to evaluate the schedule at: a backfill date when `argo cron backfill` set one (every backfilled
    workflow's scheduledTime is its submit time, so that must not win), else the cron tick Argo passed (ISO 8601
    with offset or Z); absent, empty or the literal placeholder → the workflow's creation time, so every task of
    a manual submit picks the same partition; without that too → `now`."""
    backfilled = parse_backfill_time(backfill)
    if backfilled is not None:
        return backfilled
    scheduled = _parse_time(raw, SCHEDULED_TIME_PLACEHOLDER, "--scheduled-time")
    if scheduled is not None:
        return scheduled
    return _parse_time(created, CREATED_TIME_PLACEHOLDER, "--created-time") or now


def cron_tick(raw: str | None, backfill: str | None = None) -> datetime | None:
    """The instant Argo's cron controller started the workflow at (`--scheduled-time`), or None for a manual
    submit and for `argo cron backfill` (its dates are not ticks of the controller)."""
    if parse_backfill_time(backfill) is not None:
        return None
    return _parse_time(raw, SCHEDULED_TIME_PLACEHOLDER, "--scheduled-time")


def _parse_time(raw: str | None, placeholder: str, option: str) -> datetime | None:
    text = (raw or "").strip()
    if not text or (placeholder and text == placeholder):
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise MaterializeUsageError(
            f"{option} {shortened(text, quoted=True)} is not an ISO 8601 time; pass e.g. 2026-11-28T00:00:00Z"
        ) from None
    if parsed.tzinfo is None:
        raise MaterializeUsageError(
            f"{option} {shortened(text, quoted=True)} has no UTC offset; add Z or +HH:MM (Argo sends RFC 3339)"
        )
    return parsed


def resolve_partition_key(
    defs: Definitions,
    asset_key: AssetKey,
    explicit: str | None,
    scheduled_time: datetime,
    now: datetime,
    schedule: str | None = None,
) -> str | None:
    """None for unpartitioned assets; an explicit key must exist at `now`; otherwise the tick decides."""
    partitions_def = defs.resolve_asset_graph().get(asset_key).partitions_def
    if partitions_def is None:
        return None
    name = asset_key.to_user_string()
    if is_dynamic(partitions_def):  # its keys are in the shared instance (compiler/materialize/dynamic_keys.py)
        return dynamic_partition_key(asset_key, partitions_def, explicit)
    if explicit and explicit.strip():
        key = explicit.strip()
        keys = partitions_def.get_partition_keys(current_time=now)
        if key not in keys:
            example = f"e.g. {keys[-1]!r}, its latest" if keys else "it has none yet"
            raise MaterializeUsageError(
                f"partition {shortened(key, quoted=True)} does not exist for asset {name!r} (as of {now.isoformat()}); "
                f"pass a key of its partitions definition ({example})"
            )
        return key
    scheduled = partition_from_schedule(defs, asset_key, scheduled_time, schedule)
    if scheduled is not None:
        return scheduled
    keys = partitions_def.get_partition_keys(current_time=scheduled_time)
    if not keys:
        raise MaterializeUsageError(
            f"asset {name!r} has no partition yet at {scheduled_time.isoformat()}; pass --partition"
        )
    return keys[-1]


def partition_from_schedule(
    defs: Definitions, asset_key: AssetKey, scheduled_time: datetime, schedule_name: str | None = None
) -> str | None:
    """Evaluate the schedule that fired (its CronWorkflow passes the name), else the first by name whose job
    selects the asset, as its tick at `scheduled_time` would."""
    repository = defs.get_repository_def()
    for schedule in schedules_selecting(repository, asset_key, schedule_name):
        from dagster import build_schedule_context

        with build_schedule_context(scheduled_execution_time=scheduled_time, repository_def=repository) as ctx:
            tick = schedule.evaluate_tick(ctx)
        requests = tick.run_requests or []
        for request in requests:
            selected = request.asset_selection
            if request.partition_key and (selected is None or asset_key in selected):
                return request.partition_key
        if requests:
            continue  # the schedule does not choose partitions: fall back to the last partition
        raise MaterializeUsageError(
            f"schedule {schedule.name!r} selects asset {asset_key.to_user_string()!r} but requested no "
            f"partition for a tick at {scheduled_time.isoformat()} ({tick.skip_message or 'no run request'}); "
            "pass --partition"
        )
    return None


def schedules_selecting(
    repository: RepositoryDefinition, asset_key: AssetKey, schedule_name: str | None
) -> Iterator[ScheduleDefinition]:
    """The schedule that fired (its CronWorkflow passes the name), else every schedule selecting the asset, by
    name; an unknown name, or a named schedule not selecting the asset, is a usage error."""
    candidates = sorted(repository.schedule_defs, key=lambda s: s.name)
    if schedule_name and schedule_name.strip():
        candidates = [s for s in candidates if s.name == schedule_name.strip()]
        if not candidates:
            known = ", ".join(sorted(s.name for s in repository.schedule_defs)) or "(none)"
            raise MaterializeUsageError(
                f"no schedule named {shortened(schedule_name.strip(), quoted=True)}; known schedules: {known}"
            )
    for schedule in candidates:
        job = repository.get_job(schedule.job_name)
        if asset_key not in job.asset_layer.executable_asset_keys:
            if schedule_name and schedule_name.strip():
                raise MaterializeUsageError(
                    f"schedule {schedule.name!r} does not select asset {asset_key.to_user_string()!r}"
                )
            continue
        yield schedule
