"""Test project: asset jobs without a schedule. Each must get its `job-<name>` DAG (an entrypoint `argo submit
--entrypoint job-<name>` runs), with its own executor limit; values travel through Dagster's FilesystemIOManager in
SHAPES_DIR, the directory every step shares, so what a run materialized is the set of files it wrote."""

import dagster as dg


@dg.asset(deps=["upstream_table"])  # an external asset: an input, no task
def numbers() -> list[int]:
    return [1, 2, 3]


@dg.asset
def total(numbers: list[int]) -> int:
    return sum(numbers)


@dg.asset_check(asset=total)
def total_is_positive(total: int) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=total > 0)


@dg.asset
def unrelated() -> str:
    return "not in the job"


totals = dg.define_asset_job("totals", selection=[numbers, total])
one_at_a_time = dg.define_asset_job(
    "one_at_a_time",
    selection=dg.AssetSelection.all(),
    executor_def=dg.multiprocess_executor.configured({"max_concurrent": 1}),
)
nightly = dg.define_asset_job("nightly", selection=[unrelated])

defs = dg.Definitions(
    assets=[dg.AssetSpec("upstream_table"), numbers, total, unrelated],
    asset_checks=[total_is_positive],
    jobs=[totals, one_at_a_time],
    schedules=[dg.ScheduleDefinition(job=nightly, cron_schedule="0 3 * * *")],
    resources={"io_manager": dg.FilesystemIOManager(base_dir=dg.EnvVar("SHAPES_DIR"))},
)
