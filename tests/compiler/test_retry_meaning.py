"""Issue 26 item 4: retries keep Dagster's meaning. Each project runs both ways, Dagster in process and the compiled
YAML through run-local, and the asset bodies each ran (in FIDELITY_RECORD_DIR/runs.log) must agree."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
import yaml

from compiler.exit_codes import INFRASTRUCTURE_RETRY_EXPRESSION, INTERRUPTED, RETRY_EXPRESSION
from tests.compiler.fidelity_support import REPO, build, run_local
from tests.compiler.projects.fidelity.record import runs


def _templates(tmp_path: Path) -> dict[str, dict]:
    document = yaml.safe_load((tmp_path / "out" / "fidelity.workflowtemplate.yaml").read_text(encoding="utf-8"))
    return {template["name"]: template for template in document["spec"]["templates"]}


def test_a_raising_asset_without_retry_policy_runs_once_as_in_dagster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.compiler.projects.fidelity import retries as project

    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(tmp_path / "dagster-record"))
    direct = dg.materialize(
        [project.breaks, project.after_breaks], instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )
    assert not direct.success
    dagster_runs = runs(tmp_path / "dagster-record")
    assert dagster_runs == ["breaks"]  # Dagster's own answer: once, and after_breaks never runs

    built = build(tmp_path, "retries")
    assert built.returncode == 0, built.stderr
    assert "retry_failures" not in built.stderr  # the default keeps Dagster's meaning: nothing to warn about
    assert _templates(tmp_path)["materialize"]["retryStrategy"]["expression"] == INFRASTRUCTURE_RETRY_EXPRESSION
    replay = run_local(tmp_path)
    output = replay.stdout + replay.stderr
    assert replay.returncode == 1, output
    assert runs(tmp_path / "argo-record") == dagster_runs
    assert "⊗ breaks exit 1: retryStrategy.expression says not to retry" in output
    assert "⊘ after-breaks skipped" in output


def test_an_asset_with_a_retry_policy_is_retried_as_in_dagster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.compiler.projects.fidelity import retries_policy as project

    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(tmp_path / "dagster-record"))
    direct = dg.materialize([project.flaky, project.after_flaky], instance=dg.DagsterInstance.ephemeral())
    assert direct.success
    dagster_runs = runs(tmp_path / "dagster-record")
    assert dagster_runs == ["flaky", "flaky", "after_flaky"]  # Dagster's own answer

    built = build(tmp_path, "retries_policy")
    assert built.returncode == 0, built.stderr
    assert _templates(tmp_path)["materialize-flaky"]["retryStrategy"]["expression"] == RETRY_EXPRESSION
    replay = run_local(tmp_path)
    output = replay.stdout + replay.stderr
    assert replay.returncode == 0, output
    assert runs(tmp_path / "argo-record") == dagster_runs
    assert "↻ flaky attempt 1/3 exit 1; retrying" in output


def test_retrying_failures_by_default_is_a_setting_that_warns_naming_the_assets(tmp_path: Path) -> None:
    built = build(tmp_path, "retries", "[tool.compiler.defaults]\nretry_failures = true")
    assert built.returncode == 0, built.stderr
    [warning] = [line for line in built.stderr.splitlines() if "retry_failures" in line]
    assert warning.startswith("warning: [tool.compiler.defaults] retry_failures = true")
    assert "(breaks, after_breaks)" in warning
    assert "Dagster runs them once" in warning
    assert _templates(tmp_path)["materialize"]["retryStrategy"]["expression"] == RETRY_EXPRESSION
    replay = run_local(tmp_path)
    assert replay.returncode == 1
    assert runs(tmp_path / "argo-record") == ["breaks"] * 3  # what the setting asks for, not Dagster's meaning


def test_a_step_stopped_by_sigterm_is_retried_without_a_retry_policy(tmp_path: Path) -> None:
    built = build(tmp_path, "interrupted")
    assert built.returncode == 0, built.stderr
    record = tmp_path / "argo-record"
    replay = subprocess.Popen(
        [sys.executable, "-m", "compiler", "run-local", str(tmp_path / "out" / "fidelity.workflowtemplate.yaml")],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (record / "waits.pid").exists():
            assert replay.poll() is None, "run-local ended before the first attempt started"
            assert time.monotonic() < deadline, "the first attempt never started"
            time.sleep(0.1)
        os.kill(int((record / "waits.pid").read_text(encoding="utf-8")), signal.SIGTERM)  # the pod is deleted
        output, _ = replay.communicate(timeout=240)
    finally:
        if replay.poll() is None:
            replay.kill()
            replay.wait()
    assert replay.returncode == 0, output
    assert f"↻ waits attempt 1/3 exit {INTERRUPTED}; retrying" in output
    assert runs(record) == ["waits", "waits", "after_waits"]
