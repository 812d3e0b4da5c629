"""Per zone, the nightly job and its schedule: 01:00 in that zone, materializing the local day that just ended for
every city of the zone (Dagster's schedule requests one run per date × city key of that day).

Where it starts: deployed (the compiled CronWorkflow) it ticks from the moment it is applied, so the schedule is
RUNNING by default (the compiler turns STOPPED into a suspended CronWorkflow). On a dev machine it must not: a UI
left open would start calling the API at 01:00 on its own. `make dev` therefore serves the code location with
`AIR_QUALITY_SCHEDULES=stopped`, and the schedule starts STOPPED there until someone turns it on (a choice the dev
instance keeps).
"""

import os
from collections.abc import Mapping

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

from assets.openaq.errors import shown
from assets.zones import Zone

SCHEDULES_VARIABLE = "AIR_QUALITY_SCHEDULES"
_STATUSES = {"running": DefaultScheduleStatus.RUNNING, "stopped": DefaultScheduleStatus.STOPPED}


class ScheduleSettingError(ValueError):
    """AIR_QUALITY_SCHEDULES holds something other than `running` or `stopped`."""


def default_schedule_status(environ: Mapping[str, str] | None = None) -> DefaultScheduleStatus:
    """RUNNING unless AIR_QUALITY_SCHEDULES says `stopped` (what `make dev` sets); empty or unset is RUNNING."""
    raw = (os.environ if environ is None else environ).get(SCHEDULES_VARIABLE, "").strip()
    if not raw:
        return DefaultScheduleStatus.RUNNING
    try:
        return _STATUSES[raw.lower()]
    except KeyError:
        raise ScheduleSettingError(
            f"{SCHEDULES_VARIABLE}={shown(raw)} must be 'running' or 'stopped' (or unset, for running)"
        ) from None


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
    for every city. RUNNING unless AIR_QUALITY_SCHEDULES=stopped (see the module's docstring)."""
    return build_schedule_from_partitioned_job(
        job,
        hour_of_day=1,
        minute_of_hour=0,
        name=job.name.replace("air_quality_daily", "air_quality_nightly", 1),
        default_status=default_schedule_status(),
    )
