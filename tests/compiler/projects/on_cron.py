"""Test project: a root asset with AutomationCondition.on_cron and a plain asset downstream of it (which on_cron
does not request). Values travel through Dagster's FilesystemIOManager in SHAPES_DIR."""

import dagster as dg


@dg.asset(automation_condition=dg.AutomationCondition.on_cron("0 3 * * *", "Europe/Vienna"))
def nightly_root() -> int:
    return 7


@dg.asset
def downstream(nightly_root: int) -> int:
    return nightly_root + 1


defs = dg.Definitions(
    assets=[nightly_root, downstream],
    resources={"io_manager": dg.FilesystemIOManager(base_dir=dg.EnvVar("SHAPES_DIR"))},
)
