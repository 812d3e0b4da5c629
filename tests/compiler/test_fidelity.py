"""Issue 14: the compiler never silently changes what a Dagster project means. Each case is a project under
tests/compiler/projects/fidelity/, run both ways (Dagster in process, the compiled YAML through run-local) or
refused/warned exactly."""

from pathlib import Path

import dagster as dg
import pytest
import yaml

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


def test_a_checks_additional_deps_become_depends_of_its_assets_task(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.compiler.projects.fidelity import check_additional_deps as project

    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(tmp_path / "dagster-record"))
    (tmp_path / "dagster-record").mkdir()
    direct = dg.materialize(
        [project.prices, project.orders, project.orders_have_prices], instance=dg.DagsterInstance.ephemeral()
    )
    assert direct.success
    [evaluation] = direct.get_asset_check_evaluations()
    assert evaluation.passed

    built = build(tmp_path, "check_additional_deps")
    assert built.returncode == 0, built.stderr
    template = yaml.safe_load((tmp_path / "out" / "fidelity.workflowtemplate.yaml").read_text(encoding="utf-8"))
    [main] = [t for t in template["spec"]["templates"] if t["name"] == "main"]
    depends = {task["name"]: task.get("depends") for task in main["dag"]["tasks"]}
    assert depends == {"prices": None, "orders": "prices"}
    (tmp_path / "argo-record").mkdir()
    replay = run_local(tmp_path, "--max-parallel", "2")
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert runs(tmp_path / "argo-record") == ["prices", "orders"]


def test_a_schedule_naming_its_job_compiles_and_runs_that_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.compiler.projects.fidelity import schedule_job_name as project

    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(tmp_path / "dagster-record"))
    [request] = project.readings_schedule.evaluate_tick(dg.build_schedule_context()).run_requests or []
    job = project.defs.resolve_job_def(project.readings_schedule.job_name)
    assert job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), tags=request.tags).success
    dagster_runs = runs(tmp_path / "dagster-record")
    assert dagster_runs == ["hourly_reading"]

    built = build(tmp_path, "schedule_job_name")
    assert built.returncode == 0, built.stderr
    assert "Traceback" not in built.stderr
    cron = yaml.safe_load(
        (tmp_path / "out" / "fidelity-readings-schedule.cronworkflow.yaml").read_text(encoding="utf-8")
    )
    assert cron["spec"]["schedules"] == ["0 * * * *"]
    entrypoint = cron["spec"]["workflowSpec"]["entrypoint"]
    replay = run_local(tmp_path, "--entrypoint", entrypoint)
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert runs(tmp_path / "argo-record") == dagster_runs


def test_a_job_name_that_names_no_job_is_refused_by_name(tmp_path: Path) -> None:
    from compiler.errors import UnsupportedInputError
    from compiler.load import project_from_definitions
    from tests.compiler.projects.fidelity import schedule_job_name as project

    schedule = dg.ScheduleDefinition(name="typo", job_name="readinsg", cron_schedule="@daily")
    with pytest.raises(UnsupportedInputError) as error:
        project_from_definitions("p", dg.Definitions(assets=[project.hourly_reading], schedules=[schedule]))
    # Dagster's own resolution names it first; the compiler passes that on as a user error (exit 2)
    assert 'ScheduleDefinition "typo" targets job "readinsg" which was not found' in str(error.value)
