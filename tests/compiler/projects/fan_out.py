"""Static and multi-dimensional partitions (date × city, as the multi-city flagship uses) for the fan-out tests.

`measurements` → `daily_summary` share a date × city `MultiPartitionsDefinition` (the date in Europe/Vienna) with a
schedule from `build_schedule_from_partitioned_job`; `station_list` has static city keys and its own cron schedule.
Each asset leaves a marker file `<asset>@<partition key>` in FIXTURE_MARKER_DIR; an asset fails for a city listed
in FIXTURE_FAIL_CITIES, so a test can make one key fail.
"""

import os
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    DailyPartitionsDefinition,
    Definitions,
    MultiPartitionsDefinition,
    StaticPartitionsDefinition,
    asset,
    build_schedule_from_partitioned_job,
    define_asset_job,
)

CITIES = ("graz", "linz", "vienna")
by_city_and_day = MultiPartitionsDefinition(
    {
        "date": DailyPartitionsDefinition(start_date="2026-01-01", timezone="Europe/Vienna"),
        "city": StaticPartitionsDefinition(list(CITIES)),
    }
)
by_city = StaticPartitionsDefinition(list(CITIES))


def _mark(asset_name: str, context: AssetExecutionContext) -> None:
    """A visible trace of what ran for which partition, written before a deliberate failure."""
    key = context.partition_key
    path = Path(os.environ["FIXTURE_MARKER_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    (path / f"{asset_name}@{key}").write_text(key, encoding="utf-8")
    failing = os.environ.get("FIXTURE_FAIL_CITIES", "").split(",")
    if any(city and city in key.split("|") for city in failing):
        raise RuntimeError(f"{asset_name}: failing {key} on purpose")


@asset(partitions_def=by_city_and_day)
def measurements(context: AssetExecutionContext) -> None:
    _mark("measurements", context)


@asset(partitions_def=by_city_and_day, deps=[measurements])
def daily_summary(context: AssetExecutionContext) -> None:
    _mark("daily_summary", context)


@asset(partitions_def=by_city)
def station_list(context: AssetExecutionContext) -> None:
    _mark("station_list", context)


daily_job = define_asset_job("daily_job", selection=[measurements, daily_summary])
stations_job = define_asset_job("stations_job", selection=[station_list], partitions_def=by_city)

defs = Definitions(
    assets=[measurements, daily_summary, station_list],
    jobs=[daily_job, stations_job],
    schedules=[
        build_schedule_from_partitioned_job(daily_job, name="daily_cities", hour_of_day=1),
        build_schedule_from_partitioned_job(
            stations_job, name="stations_weekly", cron_schedule="0 3 * * 1", execution_timezone="Europe/Vienna"
        ),
    ],
)
