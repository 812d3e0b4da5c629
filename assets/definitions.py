"""The code location: every asset, check, job, schedule and resource of the pipeline in one place."""

from collections.abc import Sequence

from dagster import AssetsDefinition, Definitions, EnvVar

from assets.city import CITIES, City
from assets.clean_measurements import build_clean_measurements
from assets.daily_summary import build_daily_summary, build_summary_job
from assets.io_manager import ObjectStoreIOManager
from assets.measurements_parquet import build_measurements_parquet
from assets.partitions import zone_partitions
from assets.raw_measurements import build_raw_measurements
from assets.resources.object_store import ObjectStore
from assets.resources.openaq import OpenAQResource
from assets.schedules import build_job, build_schedule
from assets.sensors import build_summary_sensor
from assets.zones import zones_of


def build_defs(cities: Sequence[City]) -> Definitions:
    """The Definitions for `cities`: per time zone, three nightly assets on one date × city partitioning, their job
    and 01:00-local schedule, and the event-driven daily summary with its own job, started by a sensor on new
    measurements objects (assets/sensors.py)."""
    store = ObjectStore(
        endpoint=EnvVar("MINIO_ENDPOINT"),
        access_key=EnvVar("MINIO_ACCESS_KEY"),
        secret_key=EnvVar("MINIO_SECRET_KEY"),
        bucket=EnvVar("MINIO_BUCKET"),
    )
    assets: list[AssetsDefinition] = []
    jobs = []
    summary_jobs = []
    sensors = []
    for zone in zones_of(cities):
        partitions_def = zone_partitions(zone)
        assets += [
            build_raw_measurements(zone, partitions_def),
            build_clean_measurements(zone, partitions_def),
            build_measurements_parquet(zone, partitions_def),
            build_daily_summary(zone, partitions_def),
        ]
        jobs.append(build_job(zone, partitions_def))
        summary_jobs.append(build_summary_job(zone, partitions_def))
        sensors.append(build_summary_sensor(zone, summary_jobs[-1]))
    return Definitions(
        assets=assets,
        jobs=[*jobs, *summary_jobs],
        schedules=[build_schedule(job) for job in jobs],
        sensors=sensors,
        resources={
            "openaq": OpenAQResource(api_key=EnvVar("OPENAQ_API_KEY")),
            "store": store,
            "io_manager": ObjectStoreIOManager(store=store),
        },
    )


defs = build_defs(CITIES)
