"""Static fan-outs in a chain of two cadences, for replays of `main` (compiler/builder/cadence.py plans a fanned-out
step over full multi-partition keys): `city_quarters` (6-hourly windows in Europe/Vienna × city) → `city_days`
(daily × city), joined window → date by a `TimeWindowPartitionMapping` and city → city by identity. Same IO manager
as tests/compiler/projects/cadence_quarters.py; each asset has its own job and schedule (one run request per city)."""

from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetIn,
    Definitions,
    DimensionPartitionMapping,
    IdentityPartitionMapping,
    MultiPartitionMapping,
    MultiPartitionsDefinition,
    StaticPartitionsDefinition,
    TimeWindowPartitionMapping,
    asset,
    build_schedule_from_partitioned_job,
    define_asset_job,
)

from tests.compiler.projects.cadence import PartitionedJsonIOManager, store
from tests.compiler.projects.cadence_quarters import DAYS, QUARTERS

CITIES = StaticPartitionsDefinition(["graz", "vienna"])
QUARTERS_BY_CITY = MultiPartitionsDefinition({"window": QUARTERS, "city": CITIES})
DAYS_BY_CITY = MultiPartitionsDefinition({"date": DAYS, "city": CITIES})
BY_DAY_AND_CITY = MultiPartitionMapping(
    {
        "window": DimensionPartitionMapping("date", TimeWindowPartitionMapping()),
        "city": DimensionPartitionMapping("city", IdentityPartitionMapping()),
    }
)


@asset(partitions_def=QUARTERS_BY_CITY)
def city_quarters(context: AssetExecutionContext) -> dict[str, Any]:
    key = QUARTERS_BY_CITY.get_partition_key_from_str(str(context.partition_key)).keys_by_dimension
    return {"window": key["window"], "city": key["city"], "value": len(key["city"]) * 10 + int(key["window"][11:13])}


@asset(partitions_def=DAYS_BY_CITY, ins={"city_quarters": AssetIn(partition_mapping=BY_DAY_AND_CITY)})
def city_days(city_quarters: dict[str, Any]) -> dict[str, Any]:
    return {"windows": sorted(city_quarters), "total": sum(q["value"] for q in city_quarters.values())}


jobs = [define_asset_job(f"{a.key.path[-1]}_job", selection=[a]) for a in (city_quarters, city_days)]
defs = Definitions(
    assets=[city_quarters, city_days],
    jobs=jobs,
    schedules=[
        build_schedule_from_partitioned_job(jobs[0]),
        build_schedule_from_partitioned_job(jobs[1], hour_of_day=1),
    ],
    resources={"io_manager": PartitionedJsonIOManager(store=store), "store": store},
)
