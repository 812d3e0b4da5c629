"""Issue 26 item 1: daily partitioned schedules at wall times the daylight-saving switches touch. `vienna_0230` (a
02:30 tick that does not exist on the spring-forward day and exists twice on the fall-back day) and `beirut_midnight`
(Asia/Beirut switches at midnight). Each asset records the partition it built."""

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run

vienna_days = dg.DailyPartitionsDefinition(start_date="2026-01-01", timezone="Europe/Vienna")
beirut_days = dg.DailyPartitionsDefinition(start_date="2026-01-01", timezone="Asia/Beirut")


@dg.asset(partitions_def=vienna_days)
def vienna_daily(context: dg.AssetExecutionContext) -> None:
    record_run(f"vienna_daily {context.partition_key}")


@dg.asset(partitions_def=beirut_days)
def beirut_daily(context: dg.AssetExecutionContext) -> None:
    record_run(f"beirut_daily {context.partition_key}")


vienna_job = dg.define_asset_job("vienna_job", selection=[vienna_daily], partitions_def=vienna_days)
beirut_job = dg.define_asset_job("beirut_job", selection=[beirut_daily], partitions_def=beirut_days)

defs = dg.Definitions(
    assets=[vienna_daily, beirut_daily],
    jobs=[vienna_job, beirut_job],
    schedules=[
        dg.build_schedule_from_partitioned_job(vienna_job, hour_of_day=2, minute_of_hour=30, name="vienna_0230"),
        dg.build_schedule_from_partitioned_job(beirut_job, hour_of_day=0, minute_of_hour=0, name="beirut_midnight"),
    ],
)
