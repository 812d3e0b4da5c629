"""A @multi_asset_sensor in the "all of these updated" pattern: `report_job` runs once both `air` and `weather` have
a new materialization since the last run. `report` leaves one marker file per run in FIXTURE_MARKER_DIR."""

import uuid
from pathlib import Path

import dagster as dg


@dg.asset
def air() -> dg.MaterializeResult:
    return dg.MaterializeResult()


@dg.asset
def weather() -> dg.MaterializeResult:
    return dg.MaterializeResult()


@dg.asset(deps=[air, weather])
def report() -> None:
    import os

    marker = Path(os.environ["FIXTURE_MARKER_DIR"])
    marker.mkdir(parents=True, exist_ok=True)
    (marker / f"report@{uuid.uuid4().hex}").write_text("run", encoding="utf-8")


air_job = dg.define_asset_job("air_job", selection=[air])
weather_job = dg.define_asset_job("weather_job", selection=[weather])
report_job = dg.define_asset_job("report_job", selection=[report])


@dg.multi_asset_sensor(monitored_assets=[air.key, weather.key], job=report_job)
def report_when_both_updated(context: dg.MultiAssetSensorEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    records = context.latest_materialization_records_by_key()
    if all(records.values()):
        context.advance_all_cursors()
        return dg.RunRequest()
    return dg.SkipReason("waiting for both")


defs = dg.Definitions(
    assets=[air, weather, report], jobs=[air_job, weather_job, report_job], sensors=[report_when_both_updated]
)
