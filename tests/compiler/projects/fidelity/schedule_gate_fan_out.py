"""A schedule with code of its own over a date × city job: its chain `city_prices → city_report` fans out over the
cities (one per-key DAG run by a `withItems` task behind the schedule-gate), and `city_overview` (unpartitioned)
reads all of them. `city_days` skips the weekend (SkipReason) and otherwise requests yesterday for every city (one
RunRequest per partition key, as Dagster's partitioned schedules do)."""

from datetime import timedelta

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run

CITY_DAYS = dg.MultiPartitionsDefinition(
    {
        "date": dg.DailyPartitionsDefinition(start_date="2025-01-01", timezone="UTC"),
        "city": dg.StaticPartitionsDefinition(["graz", "vienna"]),
    }
)


@dg.asset(partitions_def=CITY_DAYS)
def city_prices(context: dg.AssetExecutionContext) -> None:
    record_run(f"city_prices {context.partition_key}")


@dg.asset(partitions_def=CITY_DAYS, deps=[city_prices])
def city_report(context: dg.AssetExecutionContext) -> None:
    record_run(f"city_report {context.partition_key}")


city_job = dg.define_asset_job("city_job", selection=[city_prices, city_report], partitions_def=CITY_DAYS)


@dg.schedule(job=city_job, cron_schedule="0 6 * * *", execution_timezone="UTC")
def city_days(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest] | dg.SkipReason:
    tick = context.scheduled_execution_time
    if tick.weekday() >= 5:
        return dg.SkipReason("markets are closed at the weekend")
    yesterday = (tick - timedelta(days=1)).strftime("%Y-%m-%d")
    return [
        dg.RunRequest(
            run_key=f"{yesterday}-{city}", partition_key=dg.MultiPartitionKey({"date": yesterday, "city": city})
        )
        for city in ("graz", "vienna")
    ]


defs = dg.Definitions(assets=[city_prices, city_report], jobs=[city_job], schedules=[city_days])
