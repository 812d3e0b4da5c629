"""The code location: every asset, check, job, schedule and resource of the pipeline in one place."""

from dagster import Definitions, EnvVar

from assets.clean_measurements import clean_measurements
from assets.io_manager import ObjectStoreIOManager
from assets.measurements_parquet import measurements_parquet
from assets.raw_measurements import raw_measurements
from assets.resources.object_store import ObjectStore
from assets.resources.openaq import OpenAQResource
from assets.schedules import air_quality_daily, air_quality_nightly

store = ObjectStore(
    endpoint=EnvVar("MINIO_ENDPOINT"),
    access_key=EnvVar("MINIO_ACCESS_KEY"),
    secret_key=EnvVar("MINIO_SECRET_KEY"),
    bucket=EnvVar("MINIO_BUCKET"),
)

defs = Definitions(
    assets=[raw_measurements, clean_measurements, measurements_parquet],
    jobs=[air_quality_daily],
    schedules=[air_quality_nightly],
    resources={
        "openaq": OpenAQResource(api_key=EnvVar("OPENAQ_API_KEY")),
        "store": store,
        "io_manager": ObjectStoreIOManager(store=store),
    },
)
