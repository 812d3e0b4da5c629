"""Fixture project shaped like the real pipeline: three daily-partitioned assets, checks, resources, a schedule."""

import dagster as dg

daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", timezone="Europe/Vienna", end_offset=0)


class ObjectStore(dg.ConfigurableResource):
    endpoint: str
    bucket: str


@dg.asset(
    key=["openaq", "raw_measurements"],
    partitions_def=daily,
    retry_policy=dg.RetryPolicy(max_retries=3, delay=30, backoff=dg.Backoff.EXPONENTIAL),
    op_tags={"dagster-k8s/config": {"container_config": {"resources": {"limits": {"memory": "1Gi"}}}}},
    owners=["team:air-quality"],
)
def raw_measurements() -> dict[str, object]:
    """The OpenAQ JSON for one city-day, exactly as returned."""
    return {}


@dg.asset(key=["openaq", "clean_measurements"], deps=[raw_measurements], partitions_def=daily)
def clean_measurements() -> None:
    """One typed row per sensor-hour."""


@dg.asset(key=["openaq", "measurements_parquet"], deps=[clean_measurements], partitions_def=daily)
def measurements_parquet(store: ObjectStore) -> None:
    """The parquet object in the store."""


@dg.asset_check(asset=clean_measurements, blocking=True)
def clean_rows_present() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


nightly = dg.define_asset_job("nightly", selection=dg.AssetSelection.all(), partitions_def=daily)
nightly_schedule = dg.build_schedule_from_partitioned_job(
    nightly, hour_of_day=1, default_status=dg.DefaultScheduleStatus.RUNNING
)

defs = dg.Definitions(
    assets=[raw_measurements, clean_measurements, measurements_parquet],
    asset_checks=[clean_rows_present],
    jobs=[nightly],
    schedules=[nightly_schedule],
    resources={"store": ObjectStore(endpoint=dg.EnvVar("MINIO_ENDPOINT"), bucket=dg.EnvVar("MINIO_BUCKET"))},
)
