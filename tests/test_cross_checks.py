"""A run without the optional Argo schema says which tests skipped their schema cross-check, and why."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.compiler.argo_schema import DEFINITION_BY_KIND, SCHEMA
from tests.shared_files import ENV

REPO = Path(__file__).resolve().parents[1]
TEST = "tests/compiler/test_backfill.py::test_the_workflow_runs_the_schedules_dag_per_partition_at_most_n_at_a_time"


def run_pytest(shared: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, ENV: str(shared)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *arguments, TEST],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_a_run_without_the_schema_lists_the_skipped_schema_cross_checks(tmp_path: Path) -> None:
    result = run_pytest(tmp_path / "nowhere", "-v")
    assert result.returncode == 0, result.stdout
    assert "PASSED (1 cross-check skipped)" in result.stdout
    reason = f"argo/schema.json not found under {tmp_path / 'nowhere'} (set {ENV} to the folder with argo/, openaq/)"
    assert f"Argo schema cross-check skipped: {reason}: 1 check(s) in 1 test(s)" in result.stdout
    assert f"SKIPPED [1] {TEST}" in result.stdout
    assert "1 passed, 1 with skipped cross-checks" in result.stdout


def test_a_run_with_the_schema_reports_no_skipped_cross_check(tmp_path: Path) -> None:
    """With a schema present (a permissive stand-in here, so a fresh clone can run this too) nothing is reported."""
    (tmp_path / SCHEMA).parent.mkdir()
    permissive: dict[str, dict[str, object]] = {
        "definitions": {definition: {} for definition in DEFINITION_BY_KIND.values()}
    }
    (tmp_path / SCHEMA).write_text(json.dumps(permissive), encoding="utf-8")
    result = run_pytest(tmp_path, "-v")
    assert result.returncode == 0, result.stdout
    assert "PASSED" in result.stdout
    assert "cross-check" not in result.stdout
    assert "1 passed in" in result.stdout
