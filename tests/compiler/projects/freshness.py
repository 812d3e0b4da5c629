"""Test project: three assets under last-update freshness checks (fresh within an hour) and the freshness-check
sensor that launches them (build_sensor_for_freshness_checks), compiled to a CronWorkflow. The assets return
nothing: what the checks judge is when the shared instance last recorded their materialization."""

import datetime as dt

import dagster as dg


@dg.asset
def reading() -> None:
    """Materialized by the tests at chosen times; stores nothing."""


@dg.asset
def report() -> None:
    """Materialized by the tests at chosen times; stores nothing."""


@dg.asset
def archive() -> None:
    """Never materialized by the tests."""


freshness_checks = dg.build_last_update_freshness_checks(
    assets=[reading, report, archive], lower_bound_delta=dt.timedelta(hours=1)
)
freshness_sensor = dg.build_sensor_for_freshness_checks(
    freshness_checks=freshness_checks, minimum_interval_seconds=300, name="freshness_sensor"
)

defs = dg.Definitions(assets=[reading, report, archive], asset_checks=freshness_checks, sensors=[freshness_sensor])
