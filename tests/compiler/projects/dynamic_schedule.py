"""A `@schedule` over a job of dynamically partitioned assets: its body reads the instance's keys and requests the
partitions of the tick (compiler/materialize/dynamic_schedule.py).

The assets are tests/compiler/projects/dynamic.py's (`city_reading` → `city_report`, dynamic definition `cities`).
On a tick of an even day of the month the schedule requests the cities whose names have an even length, on an odd
day those with an odd length; a tick requesting none is skipped (`SkipReason`), as Dagster's daemon skips it.
`paris_nightly` requests a city nobody added, so Dagster fails its tick (DagsterUnknownPartitionError);
`readings_only` requests `city_reading` alone, which the compiled tick refuses (one list for both assets).
"""

from dagster import Definitions, RunRequest, ScheduleEvaluationContext, SkipReason, define_asset_job, schedule

from tests.compiler.projects.cadence import PartitionedJsonIOManager
from tests.compiler.projects.dynamic import CITIES, city_reading, city_report, store

cities_job = define_asset_job("cities_job", selection=[city_reading, city_report], partitions_def=CITIES)


@schedule(job=cities_job, cron_schedule="0 3 * * *", execution_timezone="UTC")
def cities_by_parity(context: ScheduleEvaluationContext) -> list[RunRequest] | SkipReason:
    """The cities whose name length has the parity of the tick's day of the month, in the order they were added."""
    assert context.scheduled_execution_time is not None
    parity = context.scheduled_execution_time.day % 2
    keys = [key for key in context.instance.get_dynamic_partitions("cities") if len(key) % 2 == parity]
    if not keys:
        return SkipReason(f"no city with a name of parity {parity}")
    return [RunRequest(run_key=key, partition_key=key) for key in keys]


@schedule(job=cities_job, cron_schedule="0 5 * * *", execution_timezone="UTC")
def paris_nightly(context: ScheduleEvaluationContext) -> RunRequest:
    """A key the instance does not hold."""
    return RunRequest(partition_key="paris")


@schedule(job=cities_job, cron_schedule="0 6 * * *", execution_timezone="UTC")
def readings_only(context: ScheduleEvaluationContext) -> RunRequest:
    """Part of the job's assets of the dynamic definition."""
    return RunRequest(partition_key="vienna", asset_selection=[city_reading.key])


defs = Definitions(
    assets=[city_reading, city_report],
    jobs=[cities_job],
    schedules=[cities_by_parity, paris_nightly, readings_only],
    resources={"io_manager": PartitionedJsonIOManager(store=store), "store": store},
)
