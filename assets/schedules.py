"""The nightly job and its schedule: 01:00 in the city's zone, materializing the local day that just ended."""

from dagster import AssetSelection, DefaultScheduleStatus, build_schedule_from_partitioned_job, define_asset_job

from assets.partitions import daily_partitions

air_quality_daily = define_asset_job(
    "air_quality_daily",
    selection=AssetSelection.groups("air_quality"),
    partitions_def=daily_partitions,
    description="Fetch, clean and publish one city-day of OpenAQ measurements.",
)

# Built from the partitioned job, so Dagster itself picks the partition: the tick at 01:00 on day D runs D-1.
# RUNNING: deployed, it ticks at once (Dagster's default STOPPED would compile to a suspended CronWorkflow).
air_quality_nightly = build_schedule_from_partitioned_job(
    air_quality_daily,
    hour_of_day=1,
    minute_of_hour=0,
    name="air_quality_nightly",
    default_status=DefaultScheduleStatus.RUNNING,
)
