"""Differently partitioned assets joined by partition mappings Argo can honour within one tick.

`weather` (daily in Europe/Vienna) → `measurements` (date × city, `MultiToSingleDimensionPartitionMapping` on
`date`) → `austria_summary` (daily again: fan-in over every city of the day through the same mapping). Each asset
has its own job and 01:00 schedule (a Dagster job has one partitions definition); the `main` DAG runs them all, each
pod picking its key from its asset's schedule. Markers `<asset>@<key>` go to FIXTURE_MARKER_DIR.
"""

import os
from pathlib import Path

from dagster import (
    AssetDep,
    AssetExecutionContext,
    DailyPartitionsDefinition,
    Definitions,
    MultiPartitionsDefinition,
    MultiToSingleDimensionPartitionMapping,
    StaticPartitionsDefinition,
    asset,
    build_schedule_from_partitioned_job,
    define_asset_job,
)

days = DailyPartitionsDefinition(start_date="2026-01-01", timezone="Europe/Vienna")
by_city_and_day = MultiPartitionsDefinition(
    {"date": days, "city": StaticPartitionsDefinition(["graz", "linz", "vienna"])}
)
by_date = MultiToSingleDimensionPartitionMapping(partition_dimension_name="date")


def _mark(asset_name: str, context: AssetExecutionContext) -> None:
    path = Path(os.environ["FIXTURE_MARKER_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    (path / f"{asset_name}@{context.partition_key}").write_text(context.partition_key, encoding="utf-8")


@asset(partitions_def=days)
def weather(context: AssetExecutionContext) -> None:
    _mark("weather", context)


@asset(partitions_def=by_city_and_day, deps=[AssetDep(weather, partition_mapping=by_date)])
def measurements(context: AssetExecutionContext) -> None:
    _mark("measurements", context)


@asset(partitions_def=days, deps=[AssetDep(measurements, partition_mapping=by_date)])
def austria_summary(context: AssetExecutionContext) -> None:
    _mark("austria_summary", context)


jobs = [define_asset_job(f"{a.key.path[-1]}_job", selection=[a]) for a in (weather, measurements, austria_summary)]
defs = Definitions(
    assets=[weather, measurements, austria_summary],
    jobs=jobs,
    schedules=[build_schedule_from_partitioned_job(job, hour_of_day=1) for job in jobs],
)
