"""Dynamic partitions: the cities live in the Dagster instance (`instance.add_dynamic_partitions("cities", ...)`),
not in the code, so only a run can list them.

`city_reading` (one reading per city) → `city_report` (the same city's report), both partitioned by the dynamic
definition `cities`. Objects are stored under `cadence/<asset>/<city>.json` (the cadence project's IO manager).
Values are pure functions of the keys, so Dagster in process and the replayed pods store the same bytes
(compiler/builder/dynamic_partitions.py).
"""

from typing import Any

from dagster import (
    AssetExecutionContext,
    Definitions,
    DynamicPartitionsDefinition,
    EnvVar,
    asset,
    define_asset_job,
)

from assets.resources.object_store import ObjectStore
from tests.compiler.projects.cadence import PartitionedJsonIOManager

CITIES = DynamicPartitionsDefinition(name="cities")


@asset(partitions_def=CITIES)
def city_reading(context: AssetExecutionContext) -> dict[str, Any]:
    """A reading per city: the length of the city's name, so the report is predictable."""
    return {"city": context.partition_key, "value": len(context.partition_key)}


@asset(partitions_def=CITIES)
def city_report(city_reading: dict[str, Any]) -> dict[str, Any]:
    (reading,) = city_reading.values()  # the IO manager loads {partition: value}
    return {"city": reading["city"], "double": reading["value"] * 2}


store = ObjectStore(
    endpoint=EnvVar("MINIO_ENDPOINT"),
    access_key=EnvVar("MINIO_ACCESS_KEY"),
    secret_key=EnvVar("MINIO_SECRET_KEY"),
    bucket=EnvVar("MINIO_BUCKET"),
)
cities_job = define_asset_job("cities_job", selection=[city_reading, city_report], partitions_def=CITIES)
defs = Definitions(
    assets=[city_reading, city_report],
    jobs=[cities_job],
    resources={"io_manager": PartitionedJsonIOManager(store=store), "store": store},
)
