"""Issue 26 item 1, partition by partition: daily partitioned schedules at every half hour in Europe/Vienna,
America/New_York, Europe/London, in zones switching at midnight (America/Santiago, Asia/Beirut) and by 30 minutes
(Australia/Lord_Howe). Argo's side: every tick robfig fires for the compiled `schedules` around the 2026 switches,
each passed to the pods' own functions (the schedule-gate's `is_dagster_tick`, then `partition_from_schedule`, the
partition each step resolves from `{{workflow.scheduledTime}}`). Dagster's side: its own ticks, each evaluated by
its own schedule. The two lists of partitions must be equal: none lost, none built twice.
"""

from datetime import UTC, datetime

import dagster as dg
import pytest
from dagster._utils.schedules import schedule_execution_time_iterator

from compiler.materialize.dagster_tick import is_dagster_tick
from compiler.materialize.partition import partition_from_schedule
from compiler.validate.robfig import argo_schedules, argo_ticks
from compiler.validate.tick_cover import tick_cover
from compiler.validate.ticks import offset_changes, span

YEAR = (2026, 2026)
AROUND = 30 * 3600  # the day before a switch, its day and the day after


def _defs(timezone: str, hour: int, minute: int) -> dg.Definitions:
    days = dg.DailyPartitionsDefinition(start_date="2025-01-01", timezone=timezone)

    @dg.asset(partitions_def=days)
    def daily() -> None: ...

    job = dg.define_asset_job("daily_job", selection=[daily], partitions_def=days)
    schedule = dg.build_schedule_from_partitioned_job(job, hour_of_day=hour, minute_of_hour=minute, name="nightly")
    return dg.Definitions(assets=[daily], jobs=[job], schedules=[schedule])


def _dagster_partitions(defs: dg.Definitions, low: int, high: int) -> list[str]:
    repository = defs.get_repository_def()
    schedule = repository.get_schedule_def("nightly")
    keys: list[str] = []
    for tick in schedule_execution_time_iterator(low, schedule.cron_schedule, schedule.execution_timezone):
        if tick.timestamp() >= high:
            return keys
        if tick.timestamp() > low:
            with dg.build_schedule_context(scheduled_execution_time=tick, repository_def=repository) as context:
                keys += [request.partition_key or "" for request in schedule.evaluate_tick(context).run_requests or []]
    return keys


def _argo_partitions(defs: dg.Definitions, crons: tuple[str, ...], timezone: str, low: int, high: int) -> list[str]:
    schedule = defs.get_repository_def().get_schedule_def("nightly")
    keys: list[str] = []
    for instant in argo_ticks(argo_schedules(crons, timezone), low, high):
        tick = datetime.fromtimestamp(instant, UTC)
        if is_dagster_tick(schedule, tick):  # else the gate skips every task: nothing is built
            keys.append(partition_from_schedule(defs, dg.AssetKey("daily"), tick, "nightly") or "")
    return keys


@pytest.mark.parametrize(
    ("timezone", "step"),
    [
        ("Europe/Vienna", 30),
        ("America/New_York", 30),
        ("Europe/London", 30),
        ("America/Santiago", 30),
        ("Asia/Beirut", 30),
        ("Australia/Lord_Howe", 15),
    ],
)
def test_argo_builds_exactly_the_partitions_dagster_requests_around_each_switch(timezone: str, step: int) -> None:
    changes = offset_changes(timezone, *span(YEAR))
    assert changes, f"{timezone} has no switch in {YEAR[0]} any more (tz database changed): pick another zone"
    differing = []
    for minute_of_day in range(0, 24 * 60, step):
        hour, minute = divmod(minute_of_day, 60)
        defs = _defs(timezone, hour, minute)
        cron = defs.get_repository_def().get_schedule_def("nightly").cron_schedule
        assert isinstance(cron, str)
        # build's `schedules` (it looks at 2026-2045 tick by tick; the switch windows of 2026-2030 suffice here)
        cover = tick_cover([cron], timezone, years=(2026, 2030), budget=0)
        assert not cover.missing
        for change in changes:
            low, high = change - AROUND, change + AROUND
            dagster = _dagster_partitions(defs, low, high)
            argo = _argo_partitions(defs, cover.crons, timezone, low, high)
            assert len(dagster) >= 2
            if sorted(argo) != sorted(dagster):
                differing.append(f"{cron}: Argo {argo}, Dagster {dagster}")
    assert differing == []
