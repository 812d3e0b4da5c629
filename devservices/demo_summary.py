"""`make demo`'s last step: the event-driven daily summary for each city's published day.

The runs come from the parquet objects' events: `python -m compiler run-events` replays the compiled Argo Events
Sensor (assets/sensors.py's `new_object_sensor`) against the demo's store, so each new measurements object creates
the Workflow the cluster would, and run-local runs it. This module prints each city's `summary.json` URI, its
verdicts, and the chart's URI and a local copy (under `.dev/demo/`, so it outlives the demo's scratch folder).
"""

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assets.city import City
from devservices.dagster_dev import PROJECT_ROOT
from devservices.local_stack import Say

SUMMARY_ASSET = "openaq/daily_summary"
CHARTS_DIR = PROJECT_ROOT / ".dev" / "demo"


def show_summaries(say: Say, env: dict[str, str], cities: Sequence[City], day: str) -> None:
    """Each city's summary objects, as the event-triggered runs published them."""
    for city in cities:
        _show_summary(say, env, city, day)


def _show_summary(say: Say, env: dict[str, str], city: City, day: str) -> None:
    from assets.daily_summary import chart_key, summary_key
    from assets.resources.object_store import ObjectStore

    store = ObjectStore(
        endpoint=env["MINIO_ENDPOINT"],
        access_key=env["MINIO_ACCESS_KEY"],
        secret_key=env["MINIO_SECRET_KEY"],
        bucket=env["MINIO_BUCKET"],
    )
    summary = json.loads(store.get_bytes(summary_key(city.name, day)))
    say(f"summary {store.uri(summary_key(city.name, day))}")
    for pollutant in summary["pollutants"]:
        print(f"  {_verdict_line(pollutant)}")
    local = _save_chart(store.get_bytes(chart_key(city.name, day)), city.name, day)
    say(f"chart {store.uri(chart_key(city.name, day))} (a copy: {local.relative_to(PROJECT_ROOT)})")


def _verdict_line(pollutant: dict[str, Any]) -> str:
    """`pm25: mean 30.9 µg/m³, max 50.0, 24 h: EXCEEDS the WHO 24-h guideline 15`."""
    head = (
        f"{pollutant['parameter']}: mean {pollutant['mean']:g} {pollutant['units']}, max {pollutant['max']:g}, "
        f"{pollutant['hours_measured']} h"
    )
    if pollutant["guideline"] is None:
        return f"{head}: no WHO 24-h guideline"
    verdict = "EXCEEDS" if pollutant["exceeds_guideline"] else "within"
    return f"{head}: {verdict} the WHO 24-h guideline {pollutant['guideline']:g}"


def _save_chart(data: bytes, city: str, day: str) -> Path:
    CHARTS_DIR.mkdir(parents=True, exist_ok=True)
    path = CHARTS_DIR / f"{city}-{day}-chart.png"
    path.write_bytes(data)
    return path
