"""Test project: a root asset with AutomationCondition.on_cron at 02:30 in Europe/Vienna, a wall time the spring
switch skips and the autumn switch repeats. Values travel through Dagster's FilesystemIOManager in SHAPES_DIR."""

import dagster as dg


@dg.asset(automation_condition=dg.AutomationCondition.on_cron("30 2 * * *", "Europe/Vienna"))
def night_root() -> int:
    return 7


defs = dg.Definitions(
    assets=[night_root],
    resources={"io_manager": dg.FilesystemIOManager(base_dir=dg.EnvVar("SHAPES_DIR"))},
)
