"""A @multi_asset_sensor over one asset, as Dagster's docs write one: `processed_job` runs once per new
materialization of `raw_data` (the "all of these updated" body, with one asset). `processed_data` leaves one marker
file per run in FIXTURE_MARKER_DIR."""

import os
import uuid
from pathlib import Path

import dagster as dg


@dg.asset
def raw_data() -> dg.MaterializeResult:
    return dg.MaterializeResult()


@dg.asset(deps=[raw_data])
def processed_data() -> None:
    marker = Path(os.environ["FIXTURE_MARKER_DIR"])
    marker.mkdir(parents=True, exist_ok=True)
    (marker / f"processed@{uuid.uuid4().hex}").write_text("run", encoding="utf-8")


raw_job = dg.define_asset_job("raw_job", selection=[raw_data])
processed_job = dg.define_asset_job("processed_job", selection=[processed_data])


@dg.multi_asset_sensor(monitored_assets=[raw_data.key], job=processed_job)
def process_when_raw_updated(context: dg.MultiAssetSensorEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    records = context.latest_materialization_records_by_key()
    if all(records.values()):
        context.advance_all_cursors()
        return dg.RunRequest()
    return dg.SkipReason("no new raw_data")


defs = dg.Definitions(
    assets=[raw_data, processed_data], jobs=[raw_job, processed_job], sensors=[process_when_raw_updated]
)
