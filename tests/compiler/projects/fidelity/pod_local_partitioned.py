"""Issue 25: a daily-partitioned chain handing values through an in-memory IO manager: one pod runs both assets for
the partition, in one Dagster run (compiler/builder/pod_local.py)."""

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run

DAILY = dg.DailyPartitionsDefinition(start_date="2026-11-01")


@dg.asset(partitions_def=DAILY)
def day_readings(context: dg.AssetExecutionContext) -> list[int]:
    day = int(context.partition_key[-2:])
    value = [day, day + 1]
    record_run(f"day_readings[{context.partition_key}]={value}")
    return value


@dg.asset(partitions_def=DAILY)
def day_total(context: dg.AssetExecutionContext, day_readings: list[int]) -> int:
    record_run(f"day_total[{context.partition_key}]={sum(day_readings)}")
    return sum(day_readings)


daily_job = dg.define_asset_job("daily_job", selection=[day_readings, day_total], partitions_def=DAILY)

defs = dg.Definitions(
    assets=[day_readings, day_total], jobs=[daily_job], resources={"io_manager": dg.InMemoryIOManager()}
)
