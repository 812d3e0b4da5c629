"""Test project: a daily-partitioned chain whose WorkflowTemplate would pass 256 KiB (long descriptions), so `build`
splits it into chunks (compiler/builder/split.py), and with the child-Workflow threshold lowered runs each chunk as
a child Workflow (compiler/builder/child_workflows.py). Each step writes its partition's value, so the stored keys
show which partition the pods of every child picked: from the parent's cron tick, or from `-p partition=K`.
Values travel through FilesystemIOManager in SHAPES_DIR, the directory every step shares.
"""

import dagster as dg

DESCRIPTION = "Daily values of one sensor. " * 1700  # about 48 KB each: six of them are more than one chunk holds
DAILY = dg.DailyPartitionsDefinition(start_date="2026-11-01")


def _day(index: int) -> dg.AssetsDefinition:
    @dg.asset(
        name=f"day_{index}",
        deps=[f"day_{index - 1}"] if index else [],
        partitions_def=DAILY,
        description=DESCRIPTION,
    )
    def _asset(context: dg.AssetExecutionContext) -> str:
        return context.partition_key

    return _asset


assets = [_day(i) for i in range(6)]
daily_job = dg.define_asset_job("daily", selection=dg.AssetSelection.all(), partitions_def=DAILY)
defs = dg.Definitions(
    assets=assets,
    jobs=[daily_job],
    schedules=[dg.build_schedule_from_partitioned_job(daily_job, hour_of_day=3)],
    resources={"io_manager": dg.FilesystemIOManager(base_dir=dg.EnvVar("SHAPES_DIR"))},
)
