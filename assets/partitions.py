"""Daily partitions in the city's own time zone: a partition is a local calendar day (23, 24 or 25 hours)."""

from datetime import date, datetime

from dagster import DailyPartitionsDefinition

from assets.city import CITY
from assets.openaq.window import day_window_utc

FIRST_DAY = "2024-01-01"

daily_partitions = DailyPartitionsDefinition(start_date=FIRST_DAY, timezone=CITY.timezone, end_offset=0)


def partition_window_utc(partition_key: str, timezone: str = CITY.timezone) -> tuple[datetime, datetime]:
    """The partition's local day as a UTC window [start, end)."""
    return day_window_utc(date.fromisoformat(partition_key), timezone)
