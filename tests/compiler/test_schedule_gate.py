"""Issue 14 case 5: a schedule's own code decides what a tick runs. Dagster evaluates the schedule per tick and runs
only what it requests; the compiled DAG's schedule-gate task evaluates the same schedule and every other task's
`when` reads its decision, so unselected tasks end Skipped (run-local replays Argo's `when` semantics)."""

from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._utils.schedules import schedule_execution_time_iterator

from tests.compiler.argo_schema import schema_errors
from tests.compiler.fidelity_support import build, run_local
from tests.compiler.projects.fidelity.record import runs


@pytest.fixture(scope="module")
def schedule_skip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/compiler/projects/fidelity/schedule_skip.py built once (into `out/`) for the tests that replay it; its
    pods record into `argo-record/`, which each test empties first."""
    folder = tmp_path_factory.mktemp("schedule-skip")
    built = build(folder, "schedule_skip")
    assert built.returncode == 0, built.stderr
    return folder


def _dagster_runs(defs: dg.Definitions, schedule_name: str, tick: datetime, record: Path) -> list[str]:
    """What Dagster's scheduler would run for the tick: evaluate, then execute each request's selection."""
    repository = defs.get_repository_def()
    schedule = repository.get_schedule_def(schedule_name)
    with dg.build_schedule_context(scheduled_execution_time=tick, repository_def=repository) as context:
        requests = schedule.evaluate_tick(context).run_requests or []
    job = defs.resolve_job_def(schedule.job_name)
    for request in requests:
        result = job.execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), asset_selection=request.asset_selection
        )
        assert result.success
    return runs(record)


def _ticks(defs: dg.Definitions, schedule_name: str, start: str, end: str) -> list[datetime]:
    schedule = defs.get_repository_def().get_schedule_def(schedule_name)
    ticks: list[datetime] = []
    for tick in schedule_execution_time_iterator(
        datetime.fromisoformat(start).timestamp(), schedule.cron_schedule, schedule.execution_timezone
    ):
        if tick > datetime.fromisoformat(end):
            return ticks
        ticks.append(tick)
    return ticks


@pytest.mark.parametrize(
    ("schedule", "entrypoint", "start", "end"),
    [
        # Friday (a RunRequest), Saturday (SkipReason); Sunday and Monday would repeat them
        ("weekday_prices", "job-prices-job", "2026-11-27T00:00:00+00:00", "2026-11-28T23:00:00+00:00"),
        # Monday (downstream only), Tuesday (fx only), Wednesday (upstream and fx, not the downstream)
        ("rotating_selection", "job-everything-job", "2026-11-30T00:00:00+00:00", "2026-12-02T23:00:00+00:00"),
    ],
)
def test_the_ticks_materialize_what_dagsters_schedule_requests(
    schedule_skip: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    schedule: str,
    entrypoint: str,
    start: str,
    end: str,
) -> None:
    from tests.compiler.projects.fidelity import schedule_skip as project

    (schedule_skip / "argo-record" / "runs.log").unlink(missing_ok=True)
    compared = {}
    for index, tick in enumerate(_ticks(project.defs, schedule, start, end)):
        monkeypatch.setenv("FIDELITY_RECORD_DIR", str(tmp_path / f"dagster-{index}"))
        dagster = _dagster_runs(project.defs, schedule, tick, tmp_path / f"dagster-{index}")
        replay = run_local(
            schedule_skip,
            "--entrypoint",
            entrypoint,
            "-p",
            f"schedule={schedule}",
            "--scheduled-time",
            tick.isoformat(),
        )
        assert replay.returncode == 0, replay.stdout + replay.stderr
        argo = runs(schedule_skip / "argo-record")
        (schedule_skip / "argo-record" / "runs.log").unlink(missing_ok=True)
        compared[tick.strftime("%a")] = (sorted(dagster), sorted(argo))
        if not dagster:
            assert "skipped by when (" in replay.stdout
    assert all(dagster == argo for dagster, argo in compared.values()), compared
    if schedule == "weekday_prices":
        assert compared["Sat"][0] == []
        assert compared["Fri"][0] == ["daily_prices", "price_report"]
    else:  # the downstream alone, then a selected upstream whose downstream stays unselected
        assert compared["Mon"][0] == ["price_report"]
        assert compared["Wed"][0] == ["daily_prices", "fx_rates"]


def test_a_skipped_tick_logs_why_and_a_manual_submit_runs_everything(schedule_skip: Path, tmp_path: Path) -> None:
    (schedule_skip / "argo-record" / "runs.log").unlink(missing_ok=True)
    template = yaml.safe_load((schedule_skip / "out" / "fidelity.workflowtemplate.yaml").read_text(encoding="utf-8"))
    # Optional cross-check with Argo's strict JSON schema, found by tests/shared_files.py (when absent it is reported
    # as skipped in the run's summary; build already validated the manifest with the in-repo structure check).
    assert schema_errors(template) == []
    [job] = [t for t in template["spec"]["templates"] if t["name"] == "job-prices-job"]
    tasks = {task["name"]: task for task in job["dag"]["tasks"]}
    assert tasks["daily-prices"]["depends"] == "schedule-gate"
    assert tasks["price-report"]["when"] == "{{tasks.schedule-gate.outputs.parameters.price-report}} == true"

    [gate] = [t for t in template["spec"]["templates"] if t["name"] == "schedule-gate-job-prices-job"]
    saturday = "2026-11-28T06:00:00+00:00"
    outputs = tmp_path / "gate"
    arguments = [
        "--module", "tests.compiler.projects.fidelity.schedule_skip", "--schedule", "weekday_prices",
        "--scheduled-time", saturday, "--task", "daily-prices", "daily_prices", str(outputs / "daily-prices"),
    ]  # fmt: skip
    from compiler.cli import main

    assert main(["schedule-gate", *arguments]) == 0
    assert (outputs / "daily-prices").read_text(encoding="utf-8") == "false"
    assert [p["name"] for p in gate["outputs"]["parameters"]] == ["daily-prices", "price-report"]

    manual = run_local(schedule_skip, "--entrypoint", "job-prices-job")  # no schedule parameter: a manual submit
    assert manual.returncode == 0, manual.stdout + manual.stderr
    assert runs(schedule_skip / "argo-record") == ["daily_prices", "price_report"]


def test_several_run_requests_per_tick_are_refused_at_build(tmp_path: Path) -> None:
    built = build(tmp_path, "several_requests_every_tick")
    assert built.returncode == 2
    assert built.stderr.strip() == (
        "error: schedule every_tick: one tick returned 2 RunRequests that are not distinct partitions of one "
        "partitioned job; an Argo workflow is one run, so return one RunRequest per tick (or one per partition key) "
        "(tick at 2026-01-01T05:00:00+00:00)"
    )


def test_several_run_requests_on_a_tick_build_did_not_sample_fail_the_gate_clearly(tmp_path: Path) -> None:
    from tests.compiler.projects.fidelity import several_requests as project

    with dg.build_schedule_context(scheduled_execution_time=datetime.fromisoformat("2026-03-15T05:00:00+00:00")) as c:
        assert len(project.mid_month.evaluate_tick(c).run_requests or []) == 2  # Dagster would start two runs
    built = build(tmp_path, "several_requests")
    assert built.returncode == 0, built.stderr
    replay = run_local(tmp_path, "--entrypoint", "job-ledger-job", "-p", "schedule=mid_month",
                       "--scheduled-time", "2026-03-15T05:00:00Z")  # fmt: skip
    output = replay.stdout + replay.stderr
    assert replay.returncode == 1, output
    assert "✘ schedule-gate exit 2" in output
    assert "schedule-gate: bad usage: schedule mid_month: one tick returned 2 RunRequests" in output
    assert runs(tmp_path / "argo-record") == []
    fine = run_local(tmp_path, "--entrypoint", "job-ledger-job", "-p", "schedule=mid_month",
                     "--scheduled-time", "2026-03-16T05:00:00Z")  # fmt: skip
    assert fine.returncode == 0, fine.stdout + fine.stderr
    assert runs(tmp_path / "argo-record") == ["ledger"]


@pytest.mark.parametrize(
    ("request_", "named"),
    [
        (dg.RunRequest(stale_assets_only=True), "stale_assets_only"),
        (dg.RunRequest(asset_check_keys=[]), "asset_check_keys"),
        (dg.RunRequest(job_name="another_job"), "job_name"),
    ],
)
def test_run_requests_the_dag_cannot_honour_are_refused_by_field(request_: dg.RunRequest, named: str) -> None:
    from compiler.builder.fidelity.tick_selection import SeveralRunRequests, tick_selection

    with pytest.raises(SeveralRunRequests, match=f"a RunRequest sets {named}, which the compiled DAG cannot honour"):
        tick_selection("s", [request_], None, "own_job")
    assert tick_selection("s", [dg.RunRequest(job_name="own_job")], None, "own_job").keys is None


def test_a_selection_of_part_of_a_multi_asset_is_refused() -> None:
    from compiler.builder.fidelity.tick_selection import SeveralRunRequests, tick_selection

    selection = tick_selection("s", [dg.RunRequest(asset_selection=[dg.AssetKey("alpha")])], None, "job")
    assert selection.selects([dg.AssetKey("alpha")], "s")
    assert not selection.selects([dg.AssetKey("gamma")], "s")
    with pytest.raises(SeveralRunRequests, match="names only alpha of the multi-asset whose keys alpha, beta run"):
        selection.selects([dg.AssetKey("alpha"), dg.AssetKey("beta")], "s")


def test_build_refuses_a_sampled_selection_of_part_of_a_multi_asset() -> None:
    from compiler.builder.load import project_from_definitions
    from compiler.errors import UnsupportedInputError

    @dg.multi_asset(specs=[dg.AssetSpec("alpha"), dg.AssetSpec("beta")])
    def pair():  # no annotation: Dagster reads a non-tuple annotation as one output
        return dg.MaterializeResult(asset_key="alpha"), dg.MaterializeResult(asset_key="beta")

    job = dg.define_asset_job("pair_job", selection=[pair])

    @dg.schedule(job=job, cron_schedule="0 3 * * *")
    def alpha_only() -> dg.RunRequest:
        return dg.RunRequest(asset_selection=[dg.AssetKey("alpha")])

    with pytest.raises(UnsupportedInputError, match="schedule alpha_only: asset_selection names only alpha"):
        project_from_definitions("p", dg.Definitions(assets=[pair], jobs=[job], schedules=[alpha_only]))


def test_only_schedules_with_code_of_their_own_get_a_gate() -> None:
    from compiler.builder.fidelity.tick_selection import has_own_code

    daily = dg.DailyPartitionsDefinition(start_date="2026-01-01")

    @dg.asset(partitions_def=daily)
    def day() -> None:
        return None

    job = dg.define_asset_job("day_job", selection=[day], partitions_def=daily)
    plain = dg.ScheduleDefinition(name="plain", job=job, cron_schedule="0 1 * * *")
    weekdays = dg.ScheduleDefinition(
        name="weekdays",
        job=job,
        cron_schedule="0 1 * * *",
        should_execute=lambda c: c.scheduled_execution_time.weekday() < 5,
    )
    partitioned = dg.build_schedule_from_partitioned_job(job)
    defs = dg.Definitions(assets=[day], jobs=[job], schedules=[plain, weekdays, partitioned])
    repository = defs.get_repository_def()
    found = {s.name: has_own_code(s) for s in repository.schedule_defs}
    assert found == {"plain": False, "weekdays": True, partitioned.name: False}
    assert has_own_code(project_decorated())


def project_decorated() -> dg.ScheduleDefinition:
    from tests.compiler.projects.fidelity import schedule_skip as project

    return project.weekday_prices


def test_run_request_tags_are_warned_by_schedule() -> None:
    from compiler.builder.load import project_from_definitions

    @dg.asset
    def tagged_asset() -> None:
        return None

    job = dg.define_asset_job("tagged_job", selection=[tagged_asset])

    @dg.schedule(job=job, cron_schedule="0 3 * * *")
    def tagging() -> dg.RunRequest:
        return dg.RunRequest(tags={"team": "air"})

    project = project_from_definitions("p", dg.Definitions(assets=[tagged_asset], jobs=[job], schedules=[tagging]))
    assert project.fidelity.warnings == (
        "schedule tagging: RunRequest tags are not passed to the pods' runs (sample ticks set some)",
    )
