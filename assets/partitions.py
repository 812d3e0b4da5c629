"""Date × city partitions: per zone, a Dagster `MultiPartitionsDefinition` whose `date` dimension is daily in that
zone (a partition is a local calendar day, 23, 24 or 25 hours) and whose `city` dimension is static."""

from datetime import date, datetime

from dagster import (
    DailyPartitionsDefinition,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    StaticPartitionsDefinition,
)

from assets.city import City
from assets.openaq.window import day_window_utc
from assets.zones import Zone

FIRST_DAY = "2024-01-01"
DATE = "date"
CITY = "city"


def zone_partitions(zone: Zone) -> MultiPartitionsDefinition:
    """The zone's date × city grid, as the Dagster UI shows it."""
    return MultiPartitionsDefinition(
        {
            DATE: DailyPartitionsDefinition(start_date=FIRST_DAY, timezone=zone.timezone, end_offset=0),
            CITY: StaticPartitionsDefinition([city.name for city in zone.cities]),
        }
    )


def city_day(zone: Zone, partition_key: str) -> tuple[City, str]:
    """The city and the local day (`YYYY-MM-DD`) of a date × city key such as `vienna|2026-11-27`."""
    parsed = zone_partitions(zone).get_partition_key_from_str(partition_key)
    keys = parsed.keys_by_dimension if isinstance(parsed, MultiPartitionKey) else {}
    return zone.city(keys[CITY]), keys[DATE]


def partition_window_utc(day: str, timezone: str) -> tuple[datetime, datetime]:
    """The local day `day` in `timezone` as a UTC window [start, end)."""
    return day_window_utc(date.fromisoformat(day), timezone)
