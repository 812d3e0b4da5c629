"""Hourly and monthly assets with their own schedules, for running the pod step on other time-window kinds."""

import os
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    Definitions,
    FilesystemIOManager,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    asset,
    build_schedule_from_partitioned_job,
    define_asset_job,
)

hourly = HourlyPartitionsDefinition(start_date="2026-01-01-00:00", timezone="Europe/Vienna")
monthly = MonthlyPartitionsDefinition(start_date="2025-01-01", timezone="Europe/Vienna")


def _mark(name: str, key: str) -> None:
    """A visible trace of what ran for which partition."""
    path = Path(os.environ["FIXTURE_MARKER_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    (path / f"{name}-{key}").write_text(key, encoding="utf-8")


@asset(partitions_def=hourly)
def readings(context: AssetExecutionContext) -> str:
    _mark("readings", context.partition_key)
    return context.partition_key


@asset(partitions_def=monthly)
def report(context: AssetExecutionContext) -> str:
    _mark("report", context.partition_key)
    return context.partition_key


readings_job = define_asset_job("readings_job", selection=[readings])
report_job = define_asset_job("report_job", selection=[report])

defs = Definitions(
    assets=[readings, report],
    jobs=[readings_job, report_job],
    schedules=[
        build_schedule_from_partitioned_job(readings_job, name="readings_hourly", minute_of_hour=5),
        build_schedule_from_partitioned_job(report_job, name="report_monthly", hour_of_day=4),
    ],
    resources={"io_manager": FilesystemIOManager(base_dir=os.environ.get("FIXTURE_IO_DIR", "/tmp/fixture-io"))},
)
