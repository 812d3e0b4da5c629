"""Issue 14 case 5: a schedule returning several RunRequests (not partitions) only on the 15th, past the ticks
build samples (from 2026-01-01, 8 days): its schedule-gate pod fails clearly on such a tick."""

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run


@dg.asset
def ledger() -> None:
    record_run("ledger")


ledger_job = dg.define_asset_job("ledger_job", selection=[ledger])


@dg.schedule(job=ledger_job, cron_schedule="0 5 * * *", execution_timezone="UTC")
def mid_month(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
    if context.scheduled_execution_time.day == 15:
        return [dg.RunRequest(run_key="first"), dg.RunRequest(run_key="second")]
    return [dg.RunRequest()]


defs = dg.Definitions(assets=[ledger], jobs=[ledger_job], schedules=[mid_month])
