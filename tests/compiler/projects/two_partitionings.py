"""Two partitionings in one project: hourly `readings` and monthly `report`, both in Vienna time, so a backfill range
or a year of ticks crosses the 23- and 25-hour days. Shared by the backfill and the partition-kind tests, which add
their own jobs and schedules."""

import dagster as dg

TIMEZONE = "Europe/Vienna"


def hourly_and_monthly(hourly_start: str) -> tuple[dg.AssetsDefinition, dg.AssetsDefinition]:
    """The `readings` asset (hourly from `hourly_start`) and the `report` asset (monthly from 2025-01-01)."""
    hourly = dg.HourlyPartitionsDefinition(start_date=hourly_start, timezone=TIMEZONE)
    monthly = dg.MonthlyPartitionsDefinition(start_date="2025-01-01", timezone=TIMEZONE)

    @dg.asset(partitions_def=hourly)
    def readings() -> None:
        return None

    @dg.asset(partitions_def=monthly)
    def report() -> None:
        return None

    return readings, report
