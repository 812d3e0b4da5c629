"""A smaller chain of three cadences for replays of `main`, which plans every upstream partition a run needs:
`quarters` (6-hourly windows in Europe/Vienna, a custom cron) → `quarter_days` (daily) → `quarter_weeks` (weekly,
from Sunday). A week reads 28 windows, not 168 hours, so a replay stays short. Same IO manager and values as
tests/compiler/projects/cadence.py; each asset has its own job and schedule."""

from typing import Any

from dagster import (
    AssetExecutionContext,
    DailyPartitionsDefinition,
    Definitions,
    TimeWindowPartitionsDefinition,
    WeeklyPartitionsDefinition,
    asset,
    build_schedule_from_partitioned_job,
    define_asset_job,
)

from tests.compiler.projects.cadence import ZONE, PartitionedJsonIOManager, store

QUARTERS = TimeWindowPartitionsDefinition(
    cron_schedule="0 */6 * * *", fmt="%Y-%m-%d-%H:%M", start="2026-10-01-00:00", timezone=ZONE
)
DAYS = DailyPartitionsDefinition(start_date="2026-10-01", timezone=ZONE)
WEEKS = WeeklyPartitionsDefinition(start_date="2026-10-04", timezone=ZONE)


@asset(partitions_def=QUARTERS)
def quarters(context: AssetExecutionContext) -> dict[str, Any]:
    return {"window": context.partition_key, "value": context.partition_time_window.start.hour}


@asset(partitions_def=DAYS)
def quarter_days(quarters: dict[str, Any]) -> dict[str, Any]:
    values = [reading["value"] for _, reading in sorted(quarters.items())]
    return {"windows": len(values), "mean": sum(values) / len(values)}


@asset(partitions_def=WEEKS)
def quarter_weeks(quarter_days: dict[str, Any]) -> dict[str, Any]:
    return {"days": sorted(quarter_days), "mean": sum(d["mean"] for d in quarter_days.values()) / len(quarter_days)}


jobs = [define_asset_job(f"{a.key.path[-1]}_job", selection=[a]) for a in (quarters, quarter_days, quarter_weeks)]
defs = Definitions(
    assets=[quarters, quarter_days, quarter_weeks],
    jobs=jobs,
    schedules=[build_schedule_from_partitioned_job(jobs[0])]
    + [build_schedule_from_partitioned_job(job, hour_of_day=1) for job in jobs[1:]],
    resources={"io_manager": PartitionedJsonIOManager(store=store), "store": store},
)
