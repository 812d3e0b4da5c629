"""`make demo` end to end, as a newcomer runs it: offline services, build, validate, replay, the parquet shown."""

import os
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assets.city import CITY
from devservices.openaq_server.synthetic import DIRT_KINDS, SyntheticCity

ROOT = Path(__file__).resolve().parents[2]


def _vienna_day() -> tuple[int, Counter[str]]:
    """Sensor-hours the dirty synthetic Vienna has within 25 km on 2026-11-27 (local day), and the dirt among them."""
    city = SyntheticCity(dirty=True)
    start, end = datetime(2026, 11, 26, 23, tzinfo=UTC), datetime(2026, 11, 27, 23, tzinfo=UTC)
    hours, dirt = 0, Counter[str]()
    for sensor_id in city.active_sensor_ids(start, CITY.radius_m):
        hours += city.count_hours(sensor_id, start, end)
        dirt += city.dirt_counts(sensor_id, start, end)
    assert all(dirt[kind] > 0 for kind in DIRT_KINDS)  # the demo shows every kind of drop
    return hours, dirt


@pytest.mark.timeout(300)
def test_demo_publishes_the_synthetic_vienna_day_and_stops_everything() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MINIO_", "OPENAQ_"))}  # offline mode
    env["OPENAQ_BASE_URL"] = "http://127.0.0.1:9"  # without OPENAQ_API_KEY: ignored, and the demo says so
    demo = subprocess.run(
        [sys.executable, "-m", "devservices", "demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
        start_new_session=True,
    )
    output = demo.stdout + demo.stderr
    assert demo.returncode == 0, output[-4000:]
    # The demo's server is dirty; what it holds for Vienna's 2026-11-27 comes from the server's own data.
    hours, dirt = _vienna_day()
    kept = hours - dirt["null"] - dirt["sentinel"]
    published = "s3://air-quality/air_quality/city=vienna/date=2026-11-27/measurements.parquet"
    assert f"==> published {published}: {kept} rows" in output
    rows_in = hours + dirt["duplicate"] + dirt["outside"]
    assert (
        f"==> cleaning: {rows_in} rows in, {kept} kept; dropped duplicate {dirt['duplicate']}, negative_value 0, "
        f"no_coordinates 0, no_period 0, non_finite_value 0, null_value {dirt['null']}, other_parameter 0, "
        f"outside_window {dirt['outside']}, "
        f"sentinel_value {dirt['sentinel']}"
    ) in output
    assert "run-local: 3 succeeded" in output
    assert "==> OpenAQ: OPENAQ_BASE_URL ignored: without OPENAQ_API_KEY the local synthetic server is used" in output
    assert re.search(r"==> object store: embedded SeaweedFS at http://127\.0\.0\.1:\d+ \(no MINIO_\* set;", output)
    # every file `kubectl apply -k argo_out/` reads is validated, the deploy bundle's Kubernetes kinds included
    assert f"ok: {len(list((ROOT / 'argo_out').glob('*.yaml')))} manifest(s) valid" in output
    assert "period_end: timestamp[us, tz=UTC] not null" in output
    assert "==> done: services stopped" in output
    leftovers = subprocess.run(["pgrep", "-f", "air-quality-demo-"], capture_output=True, text=True)
    assert leftovers.stdout == ""
