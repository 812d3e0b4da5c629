"""Per zone, the nightly job and its schedule: 01:00 in that zone, materializing the local day that just ended for
every city of the zone (Dagster's schedule requests one run per date × city key of that day)."""

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    MultiPartitionsDefinition,
    ScheduleDefinition,
    build_schedule_from_partitioned_job,
    define_asset_job,
)
from dagster._core.definitions.partitions.partitioned_schedule import UnresolvedPartitionedAssetScheduleDefinition
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from assets.zones import Zone


def build_job(zone: Zone, partitions_def: MultiPartitionsDefinition) -> UnresolvedAssetJobDefinition:
    cities = ", ".join(city.name for city in zone.cities)
    return define_asset_job(
        zone.name("air_quality_daily"),
        selection=AssetSelection.groups(zone.name("air_quality")),
        partitions_def=partitions_def,
        description=f"Fetch, clean and publish one city-day of OpenAQ measurements ({zone.timezone}: {cities}).",
    )


def build_schedule(
    job: UnresolvedAssetJobDefinition,
) -> ScheduleDefinition | UnresolvedPartitionedAssetScheduleDefinition:
    """Built from the partitioned job, so Dagster itself picks the partitions: the tick at 01:00 on day D runs D-1
    for every city. RUNNING: deployed, it ticks at once (Dagster's default STOPPED would compile to a suspended
    CronWorkflow)."""
    return build_schedule_from_partitioned_job(
        job,
        hour_of_day=1,
        minute_of_hour=0,
        name=job.name.replace("air_quality_daily", "air_quality_nightly", 1),
        default_status=DefaultScheduleStatus.RUNNING,
    )
