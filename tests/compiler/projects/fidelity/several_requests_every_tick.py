"""Issue 14 case 5: a schedule returning two RunRequests (no partitions) on every tick: refused by build."""

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run


@dg.asset
def ledger() -> None:
    record_run("ledger")


ledger_job = dg.define_asset_job("ledger_job", selection=[ledger])


@dg.schedule(job=ledger_job, cron_schedule="0 5 * * *", execution_timezone="UTC")
def every_tick() -> list[dg.RunRequest]:
    return [dg.RunRequest(run_key="first"), dg.RunRequest(run_key="second")]


defs = dg.Definitions(assets=[ledger], jobs=[ledger_job], schedules=[every_tick])
