"""A schedule with code of its own over a daily-partitioned job whose chain `daily_prices → price_report` fuses
(`fuse_chains = true`): `market_days` skips the weekend (SkipReason), asks for yesterday's `fx_rates` alone on
Tuesdays (an asset_selection that leaves the chain out) and for the whole job on the other weekdays. Every tick
selects both chain assets or neither, so the chain is one task behind the schedule-gate."""

from datetime import timedelta

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run

DAILY = dg.DailyPartitionsDefinition(start_date="2026-11-01", timezone="UTC")


@dg.asset(partitions_def=DAILY)
def daily_prices(context: dg.AssetExecutionContext) -> None:
    record_run(f"daily_prices {context.partition_key}")


@dg.asset(partitions_def=DAILY, deps=[daily_prices])
def price_report(context: dg.AssetExecutionContext) -> None:
    record_run(f"price_report {context.partition_key}")


@dg.asset(partitions_def=DAILY)
def fx_rates(context: dg.AssetExecutionContext) -> None:
    record_run(f"fx_rates {context.partition_key}")


market_job = dg.define_asset_job("market_job", selection=[daily_prices, price_report, fx_rates], partitions_def=DAILY)


@dg.schedule(job=market_job, cron_schedule="0 6 * * *", execution_timezone="UTC")
def market_days(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    tick = context.scheduled_execution_time
    if tick.weekday() >= 5:
        return dg.SkipReason("markets are closed at the weekend")
    yesterday = (tick - timedelta(days=1)).strftime("%Y-%m-%d")
    if tick.weekday() == 1:
        return dg.RunRequest(partition_key=yesterday, asset_selection=[fx_rates.key])
    return dg.RunRequest(partition_key=yesterday)


defs = dg.Definitions(assets=[daily_prices, price_report, fx_rates], jobs=[market_job], schedules=[market_days])
