"""Step fusion behind a schedule-gate, and `compiler backfill` of a gated job, replayed with run-local and compared
with Dagster's own answer (tests/compiler/projects/fidelity/schedule_gate_fused.py).

Schedule ticks: Dagster evaluates the schedule and runs each RunRequest's partition and asset_selection; the compiled
DAG's gate evaluates the same tick and the fused chain's one task runs iff the tick selects the chain.
Backfill: Dagster's backfill of a job launches one run of the whole job per selected partition and never evaluates
the schedule's function, so weekend partitions the schedule would skip are materialized too; the compiled backfill
passes each partition explicitly, and the gate runs every task for an explicit partition."""

from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest
import yaml

from compiler.cli import main
from tests.compiler.fidelity_support import build, run_local
from tests.compiler.projects.fidelity.record import runs
from tests.compiler.support import REPO, run_compiler

PROJECT = "schedule_gate_fused"
FUSED_TASK = "daily-prices-to-price-report"


@pytest.fixture(scope="module")
def gate_fused(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project built once (into `out/`) for the tests that replay it; its pods record into `argo-record/`, which
    each test empties first."""
    folder = tmp_path_factory.mktemp("schedule-gate-fused")
    _built(folder)
    return folder


def _built(tmp_path: Path) -> None:
    built = build(tmp_path, PROJECT, "fuse_chains = true")
    assert built.returncode == 0, built.stderr
    assert "not fused" not in built.stderr
    assert "RunRequest tags" not in built.stderr  # Dagster's own partition tags are not the user's


def _dagster_tick(tick: datetime, record: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What Dagster's scheduler runs for the tick: evaluate the schedule, execute each request's partition/selection."""
    from tests.compiler.projects.fidelity import schedule_gate_fused as project

    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(record))
    repository = project.defs.get_repository_def()
    schedule = repository.get_schedule_def("market_days")
    with dg.build_schedule_context(scheduled_execution_time=tick, repository_def=repository) as context:
        requests = schedule.evaluate_tick(context).run_requests or []
    job = project.defs.resolve_job_def(schedule.job_name)
    for request in requests:
        result = job.execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            partition_key=request.partition_key,
            asset_selection=request.asset_selection,
        )
        assert result.success
    return sorted(runs(record))


def _replayed(tmp_path: Path) -> list[str]:
    record = tmp_path / "argo-record"
    found = sorted(runs(record))
    (record / "runs.log").unlink(missing_ok=True)
    return found


def test_gated_fused_ticks_materialize_what_dagsters_schedule_requests(
    gate_fused: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (gate_fused / "argo-record" / "runs.log").unlink(missing_ok=True)
    template = yaml.safe_load((gate_fused / "out" / "fidelity.workflowtemplate.yaml").read_text(encoding="utf-8"))
    [job_dag] = [t for t in template["spec"]["templates"] if t["name"] == "job-market-job"]  # the schedule's job
    tasks = {task["name"]: task for task in job_dag["dag"]["tasks"]}
    assert set(tasks) == {"schedule-gate", FUSED_TASK, "fx-rates"}  # the chain is one task behind the gate
    assert tasks[FUSED_TASK]["when"] == "{{tasks.schedule-gate.outputs.parameters." + FUSED_TASK + "}} == true"

    compared = {}
    # Friday (whole job), Saturday (SkipReason), Tuesday (fx_rates alone): the schedule's three answers, each a
    # run-local process (Sunday and Monday would repeat Saturday's and Friday's)
    for day in ("2026-11-20", "2026-11-21", "2026-11-24"):
        tick = datetime.fromisoformat(f"{day}T06:00:00+00:00")
        dagster = _dagster_tick(tick, tmp_path / f"dagster-{day}", monkeypatch)
        replay = run_local(
            gate_fused,
            "--entrypoint",
            "job-market-job",
            "-p",
            "schedule=market_days",
            "--scheduled-time",
            tick.isoformat(),
        )
        assert replay.returncode == 0, replay.stdout + replay.stderr
        compared[tick.strftime("%a")] = (dagster, _replayed(gate_fused))
        if not dagster:
            assert f"skipped by when ({FUSED_TASK}, fx-rates)" in replay.stdout
    assert all(dagster == argo for dagster, argo in compared.values()), compared
    assert compared["Fri"][0] == ["daily_prices 2026-11-19", "fx_rates 2026-11-19", "price_report 2026-11-19"]
    assert compared["Sat"][0] == []
    assert compared["Tue"][0] == ["fx_rates 2026-11-23"]  # the asset_selection leaves the chain out


def test_a_tick_selecting_part_of_a_fused_chain_fails_the_gate_naming_the_chain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A tick build did not sample could split the chain; Dagster would run part of it, so nothing runs (exit 2)."""
    arguments = [
        "schedule-gate", "--module", "tests.compiler.projects.fidelity.schedule_gate_fused",
        "--schedule", "market_days", "--scheduled-time", "2026-11-24T06:00:00+00:00",
        "--task", FUSED_TASK, "daily_prices,fx_rates", str(tmp_path / FUSED_TASK), "--fused", FUSED_TASK,
    ]  # fmt: skip
    assert main(arguments) == 2  # Tuesday's tick selects fx_rates alone: a chain of daily_prices and fx_rates splits
    assert (
        "names only fx_rates of the fused chain daily_prices, fx_rates, which runs as one task"
        in capsys.readouterr().out
    )
    assert not (tmp_path / FUSED_TASK).exists()
    from compiler.builder.fidelity.tick_selection import SeveralRunRequests, tick_selection

    selection = tick_selection("s", [dg.RunRequest(asset_selection=[dg.AssetKey("a")])], None, "job")
    with pytest.raises(SeveralRunRequests, match=r"names only a of the fused chain a, b, which runs as one task"):
        selection.selects([dg.AssetKey("a"), dg.AssetKey("b")], "s", "fused chain")


def test_a_backfill_of_a_gated_job_runs_every_partition_like_dagsters_backfill(
    gate_fused: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.compiler.projects.fidelity import schedule_gate_fused as project

    (gate_fused / "argo-record" / "runs.log").unlink(missing_ok=True)
    days = ["2026-11-20", "2026-11-21", "2026-11-22"]  # Friday to Sunday: the schedule skips two of these ticks
    with dg.build_schedule_context(scheduled_execution_time=datetime.fromisoformat("2026-11-22T06:00:00+00:00")) as c:
        assert project.market_days.evaluate_tick(c).skip_message == "markets are closed at the weekend"
    # Dagster's backfill of the job: one run of the whole job per partition, no schedule evaluated
    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(tmp_path / "dagster"))
    job = project.defs.resolve_job_def("market_job")
    for day in days:
        assert job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), partition_key=day).success
    dagster = sorted(runs(tmp_path / "dagster"))

    workflow = tmp_path / "backfill.yaml"
    written = run_compiler(
        "backfill", "--module", f"tests.compiler.projects.fidelity.{PROJECT}", "--settings",
        str(gate_fused / "pyproject.toml"), "--schedule", "market_days", "--start", days[0], "--end", days[-1],
        "--out", str(workflow), cwd=REPO,
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    replay = run_compiler(
        "run-local", str(workflow), "--templates", str(gate_fused / "out"), "--backoff-scale", "0", cwd=REPO
    )
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr
    assert "skipped by when" not in replay.stdout
    for day in days:  # each partition's gate got it explicitly, so it runs every task without evaluating the schedule
        assert f"--partition {day} --task {FUSED_TASK} daily_prices,price_report" in replay.stdout
    assert sorted(runs(gate_fused / "argo-record")) == dagster
    assert len(dagster) == 9  # three assets × three partitions: the weekend partitions ran too
    assert "price_report 2026-11-21" in dagster


def test_a_gated_fan_out_runs_its_per_key_dag_exactly_when_dagsters_schedule_requests_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fan-out's `withItems` task is gated on its per-key DAG's assets (a fused chain here); on a SkipReason tick
    Argo skips the whole nested DAG node (run-local: every task inside it)."""
    from tests.compiler.projects.fidelity import schedule_gate_fan_out as project

    built = build(tmp_path, "schedule_gate_fan_out", "fuse_chains = true")
    assert built.returncode == 0, built.stderr
    assert "RunRequest tags" not in built.stderr  # Dagster's own partition tags are not the user's
    template = yaml.safe_load((tmp_path / "out" / "fidelity.workflowtemplate.yaml").read_text(encoding="utf-8"))
    [gate] = [t for t in template["spec"]["templates"] if t["name"] == "schedule-gate-job-city-job"]
    arguments = gate["container"]["args"]
    assert arguments[arguments.index("--task") + 1 : arguments.index("--task") + 3] == [
        "each-city-prices",
        "city_prices,city_report",
    ]
    assert arguments[-2:] == ["--fan-out", "each-city-prices"]

    compared = {}
    for day in ("2026-11-20", "2026-11-21"):  # Friday (both cities), Saturday (SkipReason)
        tick = datetime.fromisoformat(f"{day}T06:00:00+00:00")
        monkeypatch.setenv("FIDELITY_RECORD_DIR", str(tmp_path / f"dagster-{day}"))
        repository = project.defs.get_repository_def()
        with dg.build_schedule_context(scheduled_execution_time=tick, repository_def=repository) as context:
            requests = project.city_days.evaluate_tick(context).run_requests or []
        job = project.defs.resolve_job_def("city_job")
        for request in requests:
            instance = dg.DagsterInstance.ephemeral()
            assert job.execute_in_process(instance=instance, partition_key=request.partition_key).success
        replay = run_local(
            tmp_path, "--entrypoint", "job-city-job", "-p", "schedule=city_days", "--scheduled-time", tick.isoformat()
        )
        assert replay.returncode == 0, replay.stdout + replay.stderr
        compared[tick.strftime("%a")] = (sorted(runs(tmp_path / f"dagster-{day}")), _replayed(tmp_path))
    assert all(dagster == argo for dagster, argo in compared.values()), compared
    assert len(compared["Fri"][0]) == 4  # two assets × two cities
    assert compared["Sat"][0] == []


def test_a_sampled_tick_selecting_part_of_a_gated_fan_out_is_refused_at_build() -> None:
    """The `withItems` task runs its whole per-key DAG; Dagster would run only the selected assets."""
    from compiler.builder.load import project_from_definitions
    from compiler.builder.pipeline import compile_project
    from compiler.errors import UnsupportedInputError
    from tests.compiler.projects.fidelity.schedule_gate_fan_out import CITY_DAYS
    from tests.compiler.support import demo_settings

    @dg.asset(partitions_def=CITY_DAYS)
    def first() -> None:
        return None

    @dg.asset(partitions_def=CITY_DAYS, deps=[first])
    def second() -> None:
        return None

    job = dg.define_asset_job("pair_job", selection=[first, second], partitions_def=CITY_DAYS)

    @dg.schedule(job=job, cron_schedule="0 6 * * *", execution_timezone="UTC")
    def first_only(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        day = (context.scheduled_execution_time - timedelta(days=1)).strftime("%Y-%m-%d")
        key = dg.MultiPartitionKey({"date": day, "city": "graz"})
        return dg.RunRequest(partition_key=key, asset_selection=[first.key])

    defs = dg.Definitions(assets=[first, second], jobs=[job], schedules=[first_only])
    with pytest.raises(UnsupportedInputError, match=r"asset_selection names only first of the fan-out first, second"):
        compile_project(project_from_definitions("p", defs), demo_settings())
