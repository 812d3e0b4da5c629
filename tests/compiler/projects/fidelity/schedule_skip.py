"""Issue 14 case 5: schedules with code of their own. `weekday_prices` returns a SkipReason at the weekend;
`rotating_selection` picks a subset of its job's assets with RunRequest(asset_selection=[...]) by weekday, once
only the downstream asset (Dagster runs it alone, reading the upstream's last materialization)."""

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run


@dg.asset
def daily_prices() -> None:
    record_run("daily_prices")


@dg.asset(deps=[daily_prices])
def price_report() -> None:
    record_run("price_report")


@dg.asset
def fx_rates() -> None:
    record_run("fx_rates")


prices_job = dg.define_asset_job("prices_job", selection=[daily_prices, price_report])
everything_job = dg.define_asset_job("everything_job", selection=[daily_prices, price_report, fx_rates])


@dg.schedule(job=prices_job, cron_schedule="0 6 * * *", execution_timezone="UTC")
def weekday_prices(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    if context.scheduled_execution_time.weekday() >= 5:
        return dg.SkipReason("markets are closed at the weekend")
    return dg.RunRequest()


@dg.schedule(job=everything_job, cron_schedule="0 7 * * *", execution_timezone="UTC")
def rotating_selection(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    weekday = context.scheduled_execution_time.weekday()
    if weekday == 0:
        return dg.RunRequest(asset_selection=[price_report.key])  # downstream only
    if weekday % 2:
        return dg.RunRequest(asset_selection=[fx_rates.key])
    return dg.RunRequest(asset_selection=[daily_prices.key, fx_rates.key])  # upstream without its downstream


defs = dg.Definitions(
    assets=[daily_prices, price_report, fx_rates],
    jobs=[prices_job, everything_job],
    schedules=[weekday_prices, rotating_selection],
)
