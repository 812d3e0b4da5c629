"""An @asset_sensor starts the next job: each materialization of `measurements` (one partition per city) asks
`summary_on_measurements` whether to run `summary_job`; the body requests that city's summary, except graz, for
which it returns a SkipReason. `summary` leaves `summary@<partition>` in FIXTURE_MARKER_DIR.

The compiled steps write their "asset materialized" markers into MINIO_BUCKET (compiler/sensors/asset_events.py).
"""

from pathlib import Path

import dagster as dg

CITIES = ("graz", "linz", "vienna")
by_city = dg.StaticPartitionsDefinition(list(CITIES))


@dg.asset(partitions_def=by_city)
def measurements() -> dg.MaterializeResult:
    return dg.MaterializeResult()


@dg.asset(partitions_def=by_city, deps=[measurements])
def summary(context: dg.AssetExecutionContext) -> None:
    import os

    marker = Path(os.environ["FIXTURE_MARKER_DIR"])
    marker.mkdir(parents=True, exist_ok=True)
    (marker / f"summary@{context.partition_key}").write_text(context.partition_key, encoding="utf-8")


measurements_job = dg.define_asset_job("measurements_job", selection=[measurements], partitions_def=by_city)
summary_job = dg.define_asset_job("summary_job", selection=[summary], partitions_def=by_city)


@dg.asset_sensor(asset_key=measurements.key, job=summary_job)
def summary_on_measurements(
    context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry
) -> dg.RunRequest | dg.SkipReason:
    partition = asset_event.dagster_event.partition if asset_event.dagster_event else None
    if partition == "graz":
        return dg.SkipReason("graz is summarised by hand")
    return dg.RunRequest(run_key=f"summary-{partition}-{asset_event.run_id}", partition_key=partition)


defs = dg.Definitions(
    assets=[measurements, summary], jobs=[measurements_job, summary_job], sensors=[summary_on_measurements]
)
