"""The pod step (`materialize` in a subprocess) on hourly and monthly partitions: for Argo's tick it materializes
the partition Dagster's own schedule requests for that tick, across the fall-back night."""

import importlib
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest

PROJECTS = Path(__file__).parent / "projects"


def _requested(schedule: str, tick: str) -> str:
    """Dagster's answer: the schedule's own evaluation for the tick."""
    sys.path.insert(0, str(PROJECTS))
    try:
        defs: dg.Definitions = importlib.import_module("pod_kinds_project").defs
    finally:
        sys.path.remove(str(PROJECTS))
    repository = defs.get_repository_def()
    at = datetime.fromisoformat(tick)
    with dg.build_schedule_context(scheduled_execution_time=at, repository_def=repository) as context:
        [request] = repository.get_schedule_def(schedule).evaluate_tick(context).run_requests or []
    assert request.partition_key is not None
    return request.partition_key


@pytest.mark.parametrize(
    ("asset", "schedule", "tick"),
    [
        ("readings", "readings_hourly", "2026-10-25T00:05:00Z"),  # 02:05 CEST: the 01:00 hour has ended
        ("readings", "readings_hourly", "2026-10-25T01:05:00Z"),  # the second 02:05 (CET): the CEST 02:00 hour ended
        ("report", "report_monthly", "2026-11-01T03:00:00Z"),  # 04:00 CET on 1 November: October is complete
    ],
)
def test_the_pod_builds_what_the_schedule_requests(tmp_path: Path, asset: str, schedule: str, tick: str) -> None:
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(PROJECTS), os.environ.get("PYTHONPATH", "")]),
        "FIXTURE_MARKER_DIR": str(tmp_path / "markers"),
        "FIXTURE_IO_DIR": str(tmp_path / "io"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "compiler.materialize", "--module", "pod_kinds_project", "--asset", asset,
         "--scheduled-time", tick, "--partition", "", "--schedule", schedule],
        env=environment, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    expected = _requested(schedule, tick)
    assert {p.name for p in (tmp_path / "markers").iterdir()} == {f"{asset}-{expected}"}
