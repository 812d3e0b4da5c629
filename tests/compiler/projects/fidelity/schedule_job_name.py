"""Issue 14 case 6: a ScheduleDefinition that names its job (job_name=...) instead of passing the job object."""

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run


@dg.asset
def hourly_reading() -> None:
    record_run("hourly_reading")


@dg.asset
def untouched() -> None:
    record_run("untouched")


readings = dg.define_asset_job("readings", selection=[hourly_reading])
readings_schedule = dg.ScheduleDefinition(
    name="readings_schedule",
    job_name="readings",
    cron_schedule="0 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

defs = dg.Definitions(assets=[hourly_reading, untouched], jobs=[readings], schedules=[readings_schedule])
