"""Three cadences chained through an IO manager on the real object store (SeaweedFS in the tests).

`readings` (hourly in Europe/Vienna) → `daily_mean` (daily in Vienna: Dagster's default `TimeWindowPartitionMapping`
reads the day's 23, 24 or 25 hours) → `weekly_mean` (weekly in Vienna, weeks from Sunday: the week's 7 days). A Dagster
job has one partitions definition, so each asset has its own job and schedule; each tick runs its own job, and a
downstream step loads the upstream partitions its mapping names through the IO manager, built by earlier ticks.
Values are pure functions of the partition keys, so Dagster in process and the replayed pods store the same bytes.
"""

import json
from typing import Any

from dagster import (
    AssetExecutionContext,
    ConfigurableIOManager,
    DailyPartitionsDefinition,
    Definitions,
    EnvVar,
    HourlyPartitionsDefinition,
    InputContext,
    OutputContext,
    ResourceDependency,
    WeeklyPartitionsDefinition,
    asset,
    build_schedule_from_partitioned_job,
    define_asset_job,
)

from assets.resources.object_store import ObjectNotFound, ObjectStore

ZONE = "Europe/Vienna"
HOURS = HourlyPartitionsDefinition(start_date="2026-10-01-00:00", timezone=ZONE)
DAYS = DailyPartitionsDefinition(start_date="2026-10-01", timezone=ZONE)
WEEKS = WeeklyPartitionsDefinition(start_date="2026-10-04", timezone=ZONE)
PREFIX = "cadence"


class PartitionedJsonIOManager(ConfigurableIOManager):
    """JSON per (asset, partition); an input spanning partitions loads as {partition: value}, as Dagster's own
    UPathIOManager does, and a missing partition fails the step naming the asset and the partitions."""

    store: ResourceDependency[ObjectStore]

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        data = json.dumps(obj, sort_keys=True).encode()
        self.store.put_bytes(_key(context.asset_key.to_user_string(), context.asset_partition_key), data, "json")

    def load_input(self, context: InputContext) -> Any:
        asset = context.asset_key.to_user_string()
        keys = list(context.asset_partition_keys)
        values: dict[str, Any] = {}
        missing = []
        for key in keys:
            try:
                values[key] = json.loads(self.store.get_bytes(_key(asset, key)))
            except ObjectNotFound:
                missing.append(key)
        if missing:
            raise ObjectNotFound(f"asset {asset}: partition(s) {', '.join(missing)} not materialized")
        return values


def _key(asset: str, partition: str) -> str:
    return f"{PREFIX}/{asset}/{partition}.json"


@asset(partitions_def=HOURS)
def readings(context: AssetExecutionContext) -> dict[str, Any]:
    """A reading per hour: the hour of day as a value, so means are predictable."""
    start = context.partition_time_window.start
    return {"hour": context.partition_key, "value": start.hour}


@asset(partitions_def=DAYS)
def daily_mean(readings: dict[str, Any]) -> dict[str, Any]:
    values = [reading["value"] for _, reading in sorted(readings.items())]
    return {"hours": len(values), "mean": sum(values) / len(values)}


@asset(partitions_def=WEEKS)
def weekly_mean(daily_mean: dict[str, Any]) -> dict[str, Any]:
    return {"days": sorted(daily_mean), "mean": sum(d["mean"] for d in daily_mean.values()) / len(daily_mean)}


store = ObjectStore(
    endpoint=EnvVar("MINIO_ENDPOINT"),
    access_key=EnvVar("MINIO_ACCESS_KEY"),
    secret_key=EnvVar("MINIO_SECRET_KEY"),
    bucket=EnvVar("MINIO_BUCKET"),
)
jobs = [define_asset_job(f"{a.key.path[-1]}_job", selection=[a]) for a in (readings, daily_mean, weekly_mean)]
defs = Definitions(
    assets=[readings, daily_mean, weekly_mean],
    jobs=jobs,
    schedules=[build_schedule_from_partitioned_job(job, minute_of_hour=5) for job in jobs[:1]]
    + [build_schedule_from_partitioned_job(job, hour_of_day=1) for job in jobs[1:]],
    resources={"io_manager": PartitionedJsonIOManager(store=store), "store": store},
)
