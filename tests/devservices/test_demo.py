"""`make demo` end to end, as a newcomer runs it: offline services, build, validate, replay, the parquet shown."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


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
    # Synthetic Vienna within 25 km: 6 active stations with 2+3+4+2+2+2 = 15 sensors, 24 hours each on 2026-11-27.
    assert "==> published s3://air-quality/air_quality/city=vienna/date=2026-11-27/measurements.parquet: 360 rows" in (
        output
    )
    assert "run-local: 3 succeeded" in output
    assert "==> OpenAQ: OPENAQ_BASE_URL ignored: without OPENAQ_API_KEY the local synthetic server is used" in output
    assert re.search(r"==> object store: embedded SeaweedFS at http://127\.0\.0\.1:\d+ \(no MINIO_\* set;", output)
    assert "ok: 2 manifest(s) valid" in output
    assert "period_end: timestamp[us, tz=UTC] not null" in output
    assert "==> done: services stopped" in output
    leftovers = subprocess.run(["pgrep", "-f", "air-quality-demo-"], capture_output=True, text=True)
    assert leftovers.stdout == ""
