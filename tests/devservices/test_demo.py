"""`make demo` end to end, as a newcomer runs it: offline services, build, validate, replay, the parquet shown."""

import os
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from devservices.openaq_server.app import OpenAQServer
from devservices.openaq_server.synthetic import DIRT_KINDS, cities_for
from devservices.three_cities import CITIES

ROOT = Path(__file__).resolve().parents[2]


def _days() -> dict[str, tuple[int, Counter[str]]]:
    """Per city of the demo, the sensor-hours its dirty synthetic stations have within its radius on 2026-11-27
    (the local day, all three cities are in Europe/Vienna), and the dirt among them."""
    places = [(c.name, c.latitude, c.longitude, c.timezone) for c in CITIES]
    start, end = datetime(2026, 11, 26, 23, tzinfo=UTC), datetime(2026, 11, 27, 23, tzinfo=UTC)
    days = {}
    for city, synthetic in zip(CITIES, cities_for(places, dirty=True), strict=True):
        hours, dirt = 0, Counter[str]()
        for sensor_id in synthetic.active_sensor_ids(start, city.radius_m):
            hours += synthetic.count_hours(sensor_id, start, end)
            dirt += synthetic.dirt_counts(sensor_id, start, end)
        days[city.name] = (hours, dirt)
    assert all(days["vienna"][1][kind] > 0 for kind in DIRT_KINDS)  # the demo shows every kind of drop
    return days


@pytest.mark.timeout(300)
def test_demo_publishes_each_citys_synthetic_day_and_stops_everything() -> None:
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
    # The demo's server is dirty; what it holds for each city's 2026-11-27 comes from the server's own data.
    for city, (hours, dirt) in _days().items():
        kept = hours - dirt["null"] - dirt["sentinel"]
        published = f"s3://air-quality/air_quality/city={city}/date=2026-11-27/measurements.parquet"
        assert f"==> published {published}: {kept} rows" in output
        rows_in = hours + dirt["duplicate"] + dirt["outside"]
        assert (
            f"==> {city}: cleaning: {rows_in} rows in, {kept} kept; dropped duplicate {dirt['duplicate']}, "
            f"negative_value 0, no_coordinates 0, no_period 0, non_finite_value 0, null_value {dirt['null']}, "
            f"other_parameter 0, outside_window {dirt['outside']}, sentinel_value {dirt['sentinel']}"
        ) in output
    assert f"run-local: {3 * len(CITIES)} succeeded" in output  # three steps per city, one fan-out
    # then the event-driven summary of each city's day (its content is tested in tests/assets/test_daily_summary*)
    for place in CITIES:
        prefix = f"s3://air-quality/air_quality/city={place.name}/date=2026-11-27"
        assert f"==> summary {prefix}/summary.json" in output
        chart = ROOT / ".dev" / "demo" / f"{place.name}-2026-11-27-chart.png"
        assert f"==> chart {prefix}/chart.png (a copy: {chart.relative_to(ROOT)})" in output
        assert chart.read_bytes().startswith(b"\x89PNG")
    assert re.search(r"^  pm25: mean [0-9.]+ µg/m³, max [0-9.]+, 24 h: (EXCEEDS|within) the WHO 24-h guideline 15$",
                     output, re.MULTILINE)  # fmt: skip
    assert "==> OpenAQ: OPENAQ_BASE_URL ignored: without OPENAQ_API_KEY the local synthetic server is used" in output
    assert re.search(r"==> object store: embedded SeaweedFS at http://127\.0\.0\.1:\d+ \(no MINIO_\* set;", output)
    # every file `kubectl apply -k argo_out/` reads is validated, the deploy bundle's Kubernetes kinds included
    assert output.count(f"ok: {len(list((ROOT / 'argo_out').glob('*.yaml')))} manifest(s) valid") == 2
    assert "period_end: timestamp[us, tz=UTC] not null" in output
    assert "==> done: services stopped" in output
    leftovers = subprocess.run(["pgrep", "-f", "air-quality-demo-"], capture_output=True, text=True)
    assert leftovers.stdout == ""


@pytest.mark.timeout(300)
def test_a_failing_demo_ends_with_the_failing_tasks_last_line(
    s3_env: dict[str, str], openaq_server: OpenAQServer
) -> None:
    """The live mode with a key the API rejects: run-local fails, and the demo's last lines say why (the raw step's
    own last line, "... answered HTTP 401 ..."), not just "`-m compiler run-local ...` exited 1"."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MINIO_", "OPENAQ_"))}
    env.update(s3_env)
    env.update({"OPENAQ_API_KEY": "rejected-key-5d0c", "OPENAQ_BASE_URL": openaq_server.base_url})
    demo = subprocess.run(
        [sys.executable, "-m", "devservices", "demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
        start_new_session=True,
    )
    lines = demo.stdout.strip().splitlines()
    assert demo.returncode == 1, (demo.stdout + demo.stderr)[-4000:]
    failed = [line for line in lines if line.startswith("==> demo failed: ")]
    assert len(failed) == 1
    assert failed[0].startswith("==> demo failed: `-m compiler run-local")
    causes = lines[lines.index(failed[0]) + 1 :]
    assert len(causes) == len(CITIES)  # one raw step per city, each rejected
    for cause in causes:
        assert re.match(r"==> task \S+ exited 3: materialize: FAILED asset=openaq/raw_measurements ", cause), cause
        assert "answered HTTP 401: the API key is missing or wrong" in cause
    assert "rejected-key-5d0c" not in demo.stdout + demo.stderr
    assert s3_env["MINIO_SECRET_KEY"] not in demo.stdout + demo.stderr
