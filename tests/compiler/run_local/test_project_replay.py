"""The committed argo_out/ WorkflowTemplate replayed with run-local against real services: what the pods would do."""

import io
import subprocess
import sys
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from dagster import DagsterInstance, materialize

from assets import defs
from assets.city import CITY
from assets.measurements_parquet import object_key
from assets.openaq.window import day_window_utc
from assets.resources.object_store import ObjectStore
from devservices.openaq_server.app import OpenAQServer
from tests.assets.cities import day_key, flagship_node

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "argo_out" / "air-quality.workflowtemplate.yaml"
PARTITION = "2026-11-27"  # what the 01:00 Vienna tick on 2026-11-28 materializes
TICK = "2026-11-28T00:00:00Z"


def run_local(*extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "compiler",
            "run-local",
            str(TEMPLATE),
            "--scheduled-time",
            TICK,
            "--backoff-scale",
            "0",
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_replay_publishes_the_same_bytes_as_a_direct_materialization(
    s3_env: dict[str, str], openaq_env: OpenAQServer
) -> None:
    replay = run_local()
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-3000:]
    store = ObjectStore.from_env()
    key = object_key(CITY.name, PARTITION)
    replayed = store.get_bytes(key)
    start, end = day_window_utc(date.fromisoformat(PARTITION), CITY.timezone)
    sensors = openaq_env.city.active_sensor_ids(start, CITY.radius_m)
    expected_rows = sum(openaq_env.city.expected_hours(sensor, start, end) for sensor in sensors)
    assert pq.read_table(io.BytesIO(replayed)).num_rows == expected_rows == 24 * len(sensors)

    store.client().remove_object(store.bucket, key)  # the direct run must publish its own object, not find ours
    assert not store.exists(key)
    direct = materialize(
        [
            defs.get_assets_def(["openaq", name])
            for name in ("raw_measurements", "clean_measurements", "measurements_parquet")
        ],
        partition_key=day_key(PARTITION),
        resources=defs.resources or {},
        instance=DagsterInstance.ephemeral(),
    )
    assert direct.success
    assert store.get_bytes(key) == replayed


def test_a_401_stops_downstream_tasks_and_publishes_nothing(
    s3_env: dict[str, str], openaq_env: OpenAQServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAQ_API_KEY", "not-a-key-the-server-knows")
    replay = run_local()
    assert replay.returncode == 1
    output = replay.stdout + replay.stderr
    # A rejected key cannot get better: the asset fails for good (exit 3) and the retryStrategy expression stops.
    assert f"⊗ {flagship_node('openaq-raw-measurements')} exit 3: retryStrategy.expression says not to retry" in output
    assert f"✘ {flagship_node('openaq-raw-measurements')} exit 3 in" in output
    assert "401" in output
    assert "(not retryable)" in output
    assert f"⊘ {flagship_node('openaq-clean-measurements')} skipped" in output
    assert f"⊘ {flagship_node('openaq-measurements-parquet')} skipped" in output
    assert "not-a-key-the-server-knows" not in output
    assert not ObjectStore.from_env().exists(object_key(CITY.name, PARTITION))
