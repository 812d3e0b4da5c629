"""Issue 14: the compiler never silently changes what a Dagster project means. Each case is a project under
tests/compiler/projects/fidelity/, run both ways (Dagster in process, the compiled YAML through run-local) or
refused/warned exactly."""

from pathlib import Path

import dagster as dg
import pytest

from tests.compiler.fidelity_support import build, run_local
from tests.compiler.projects.fidelity.record import runs


def test_a_failed_blocking_check_is_not_retried_by_argo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.compiler.projects.fidelity import blocking_check_retry as project

    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(tmp_path / "dagster-record"))
    direct = dg.materialize(
        [project.guarded, project.downstream, project.rows_are_plausible],
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert not direct.success
    dagster_runs = runs(tmp_path / "dagster-record")
    assert dagster_runs == ["guarded"]  # once, despite RetryPolicy(max_retries=2); downstream never runs

    built = build(tmp_path, "blocking_check_retry")
    assert built.returncode == 0, built.stderr
    replay = run_local(tmp_path)
    output = replay.stdout + replay.stderr
    assert replay.returncode == 1, output
    assert runs(tmp_path / "argo-record") == dagster_runs
    assert "rows_are_plausible" in output
    assert "⊗ guarded exit 3: retryStrategy.expression says not to retry" in output
    assert "⊘ downstream skipped" in output
