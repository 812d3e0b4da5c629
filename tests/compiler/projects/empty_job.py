"""Test project: a schedule whose asset job selects nothing (a group no asset is in), as Dagster's schedule docs
write it, beside a job that selects an asset. Dagster accepts the empty job and each run of it executes no step."""

import dagster as dg


@dg.asset(group_name="ecommerce")
def orders() -> int:
    return 1


nothing_scheduled = dg.ScheduleDefinition(
    name="nothing_scheduled", target=dg.AssetSelection.groups("no_such_group"), cron_schedule="0 0 * * *"
)
orders_job = dg.define_asset_job("orders_job", selection=dg.AssetSelection.groups("ecommerce"))

defs = dg.Definitions(
    assets=[orders],
    jobs=[orders_job],
    schedules=[nothing_scheduled, dg.ScheduleDefinition(job=orders_job, cron_schedule="0 1 * * *")],
)
