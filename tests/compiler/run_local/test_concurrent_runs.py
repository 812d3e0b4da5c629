"""Two runs of one partition at once: the WorkflowTemplate's mutex serializes them, so neither reads the other's
half-written intermediates; run-local honours it across processes as the Argo controller does across Workflows."""

import io
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from assets.city import CITY
from assets.measurements_parquet import object_key
from assets.openaq.window import day_window_utc
from assets.resources.object_store import ObjectStore
from compiler.run_local.errors import RunLocalError
from compiler.run_local.manifest import build_model
from devservices.openaq_server.app import OpenAQServer
from tests.assets.cities import flagship_node

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "argo_out" / "air-quality.workflowtemplate.yaml"
PARTITION = "2026-11-21"


class Run:
    """A run-local process whose output lines are timestamped as they arrive."""

    def __init__(self) -> None:
        self.lines: list[tuple[float, str]] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "compiler", "run-local", str(TEMPLATE), "-p", f"partition={PARTITION}"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append((time.monotonic(), line.rstrip("\n")))

    def first(self, prefix: str) -> float:
        return next(at for at, line in self.lines if line.startswith(prefix))

    def wait(self) -> int:
        code = self.process.wait(timeout=600)
        self._reader.join(timeout=10)
        return code

    @property
    def output(self) -> str:
        return "\n".join(line for _, line in self.lines)


def test_two_runs_of_one_partition_never_interleave(
    s3_env: dict[str, str], openaq_env: OpenAQServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This test's two runs share a mutex directory of their own: another replay on the machine cannot hold it.
    monkeypatch.setenv("RUN_LOCAL_MUTEX_DIR", str(tmp_path / "mutexes"))
    assert yaml.safe_load(TEMPLATE.read_text())["spec"]["synchronization"] == {"mutexes": [{"name": "air-quality"}]}
    first = Run()
    deadline = time.monotonic() + 120
    while not any(line.startswith(f"▶ {flagship_node('openaq-raw-measurements')}") for _, line in first.lines):
        assert time.monotonic() < deadline, first.output
        assert first.process.poll() is None, first.output
        time.sleep(0.05)
    second = Run()  # starts while the first is inside its DAG

    try:
        assert first.wait() == 0, first.output
        assert second.wait() == 0, second.output
    finally:
        for run in (first, second):
            if run.process.poll() is None:
                run.process.kill()

    assert "⏸ waiting" not in first.output
    assert "⏸ waiting for mutex argo/air-quality" in second.output
    # The second run's first step starts only after the first run's last step ended.
    assert second.first(f"▶ {flagship_node('openaq-raw-measurements')}") > first.first(
        f"✔ {flagship_node('openaq-measurements-parquet')}"
    )
    start, end = day_window_utc(date.fromisoformat(PARTITION), CITY.timezone)
    sensors = openaq_env.city.active_sensor_ids(start, CITY.radius_m)
    expected = sum(openaq_env.city.expected_hours(sensor, start, end) for sensor in sensors)
    published = ObjectStore.from_env().get_bytes(object_key(CITY.name, PARTITION))
    assert pq.read_table(io.BytesIO(published)).num_rows == expected


def test_semaphores_are_refused_not_ignored() -> None:
    document = yaml.safe_load(TEMPLATE.read_text())
    document["spec"]["synchronization"] = {"semaphores": [{"configMapKeyRef": {"name": "limits", "key": "x"}}]}
    with pytest.raises(RunLocalError, match="semaphores"):
        build_model(document)
