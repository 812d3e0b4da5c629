"""A new parquet object starts the next job: `measurements` (date × city, as the flagship's parquet) is written by
some other run; `new_measurements`, a `new_object_sensor`, requests `daily_summary` for the object's partition.

The bucket comes from MINIO_BUCKET (the sensor reads it when it runs, `build` from [tool.compiler.config]).
`daily_summary` leaves a marker `daily_summary@<partition key>` in FIXTURE_MARKER_DIR. A city with a space exercises
keys that S3 notifications URL-encode.
"""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    DailyPartitionsDefinition,
    Definitions,
    EnvVar,
    MultiPartitionsDefinition,
    StaticPartitionsDefinition,
    asset,
    define_asset_job,
)

from compiler.sensors import new_object_sensor

CITIES = ("graz", "vienna", "wiener neustadt")
PATTERN = r"city=(?P<city>[^/]+)/date=(?P<date>[^/]+)/"
by_city_and_day = MultiPartitionsDefinition(
    {
        "date": DailyPartitionsDefinition(start_date="2026-01-01", timezone="Europe/Vienna"),
        "city": StaticPartitionsDefinition(list(CITIES)),
    }
)


@asset(partitions_def=by_city_and_day)
def measurements() -> None:
    """Written elsewhere (the nightly pipeline); here only the upstream of the summary."""


@asset(partitions_def=by_city_and_day, deps=[measurements])
def daily_summary(context: AssetExecutionContext) -> None:
    import os

    marker = Path(os.environ["FIXTURE_MARKER_DIR"])
    marker.mkdir(parents=True, exist_ok=True)
    (marker / f"daily_summary@{context.partition_key}").write_text(context.partition_key, encoding="utf-8")


summary_job = define_asset_job("summary_job", selection=[daily_summary], partitions_def=by_city_and_day)
new_measurements = new_object_sensor(
    "new_measurements",
    target=summary_job,
    bucket=EnvVar("MINIO_BUCKET"),
    prefix="air_quality/",
    suffix=".parquet",
    partition_key=PATTERN,
)

defs = Definitions(assets=[measurements, daily_summary], jobs=[summary_job], sensors=[new_measurements])
