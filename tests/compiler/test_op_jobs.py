"""Issue 25: op/graph jobs. Each compiles to a `job-<name>` DAG whose task runs the whole job in one pod with
Dagster's in-process execution; both sides run (Dagster in process, the compiled YAML through run-local) and must
agree on which ops ran, what the IO manager stored, which ops were skipped and whether the run failed."""

import json
import os
import pickle
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest
import yaml

from tests.compiler.fidelity_support import build, run_local
from tests.compiler.projects.fidelity.record import runs
from tests.compiler.support import (
    REPO,
    compiler_process,
    run_compiler,
    write_project,
)

TICK = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)  # the 01:00 tick that builds 2026-11-27


def _land(record: Path, files: dict[str, str]) -> None:
    folder = record / "landing" / "date=2026-11-27"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def _stored(record: Path) -> dict[str, list[str]]:
    """What the filesystem IO manager stored, by `<step key>/<output>[/<mapping key>]` (the run id left out): the
    values of every run, as sorted reprs."""
    stored: dict[str, list[str]] = {}
    for path in sorted(record.glob("*/*/result*")):
        items = sorted(path.iterdir()) if path.is_dir() else [path]
        for item in items:
            key = f"{path.parent.name}/{path.name}" + (f"/{item.name}" if path.is_dir() else "")
            value = pickle.loads(item.read_bytes())  # noqa: S301 - written by this test's runs
            stored.setdefault(key, []).append(repr(value))
    return {key: sorted(values) for key, values in stored.items()}


def _dagster_tick(record: Path, monkeypatch: pytest.MonkeyPatch) -> dg.ExecuteInProcessResult:
    """Dagster's own answer: the schedule's run request for the tick, executed in process."""
    from tests.compiler.projects.fidelity import nightly_files as project

    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(record))
    assert isinstance(project.nightly, dg.ScheduleDefinition)  # an op job's partitioned schedule is a plain one
    with dg.build_schedule_context(scheduled_execution_time=TICK) as context:
        [request] = project.nightly.evaluate_tick(context).run_requests or []
    assert request.partition_key == "2026-11-27"
    return project.nightly_files.execute_in_process(
        partition_key=request.partition_key, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )


def _replay_tick(tmp_path: Path) -> tuple[int, str]:
    built = build(tmp_path, "nightly_files")
    assert built.returncode == 0, built.stderr
    assert "warning: job nightly_files: runs in one pod" in built.stderr
    replay = run_local(
        tmp_path, "--scheduled-time", TICK.isoformat().replace("+00:00", "Z"), "-p", "schedule=nightly_files_schedule"
    )
    return replay.returncode, replay.stdout + replay.stderr


FILES = {"vienna-1.csv": "station,value\na,1.5\nb,2\n", "graz.csv": "station,value\nc,3\n"}


@pytest.mark.parametrize(
    ("files", "succeeds"),
    [
        pytest.param(FILES, True, id="three-files"),
        pytest.param({}, True, id="empty-day"),
        pytest.param({**FILES, "linz.csv": "station,value\nd,n/a\n"}, False, id="a-malformed-file"),
    ],
)
def test_nightly_dynamic_fan_out_replays_as_dagster_runs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], succeeds: bool
) -> None:
    dagster_record, argo_record = tmp_path / "dagster-record", tmp_path / "argo-record"
    _land(dagster_record, files)
    _land(argo_record, files)
    direct = _dagster_tick(dagster_record, monkeypatch)
    assert direct.success is succeeds

    returncode, output = _replay_tick(tmp_path)
    assert returncode == (0 if succeeds else 1), output
    # the same ops ran (the mapped ones once per file), the same outputs were stored, the same summary written
    assert sorted(runs(argo_record)) == sorted(runs(dagster_record)), output
    assert _stored(argo_record) == _stored(dagster_record)
    summaries = sorted(p.name for p in (dagster_record / "summaries").glob("*.json")) if succeeds else []
    assert sorted(p.name for p in (argo_record / "summaries").glob("*.json")) == summaries
    for name in summaries:
        ours = json.loads((argo_record / "summaries" / name).read_text(encoding="utf-8"))
        assert ours == json.loads((dagster_record / "summaries" / name).read_text(encoding="utf-8"))
    if not files:  # Dagster's answer for an empty mapping: the collect's downstream op still runs, with []
        assert runs(dagster_record) == ["list_files", "summarize"]
    if not succeeds:  # the same failure ends the run: the malformed file's op, and summarize never ran
        assert "summarize" not in runs(argo_record)
        assert "could not convert string to float: 'n/a'" in output


def test_the_nightly_job_validates_and_its_cron_workflow_runs_the_job_dag(tmp_path: Path) -> None:
    built = build(tmp_path, "nightly_files")
    assert built.returncode == 0, built.stderr
    out = tmp_path / "out"
    validated = subprocess.run(
        [sys.executable, "-m", "compiler", "validate", *sorted(str(p) for p in out.glob("*.yaml"))],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
    [cron] = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in out.glob("*.cronworkflow.yaml")]
    assert cron["spec"]["workflowSpec"]["workflowTemplateRef"]["name"] == "fidelity"
    assert cron["spec"]["workflowSpec"]["entrypoint"] == "job-nightly-files"
    assert cron["spec"]["schedules"] == ["0 1 * * *"]


@pytest.mark.parametrize(
    ("job", "succeeds"),
    [("conditional", True), ("retried", True), ("nested", True), ("failing", False)],
)
def test_op_job_features_replay_as_dagster_runs_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, job: str, succeeds: bool
) -> None:
    """The same ops ran (a skipped branch on neither side, a retried op twice on both), the same outputs stored, the
    same failure ends the run."""
    from tests.compiler.projects.fidelity import op_job_features as project

    dagster_record, argo_record = tmp_path / "dagster-record", tmp_path / "argo-record"
    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(dagster_record))
    direct = project.defs.resolve_job_def(job).execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )
    assert direct.success is succeeds

    built = build(tmp_path, "op_job_features")
    assert built.returncode == 0, built.stderr
    # a job whose ops hand nothing to each other (retried: one op) needs no shared storage: one task per op
    assert (f"warning: job {job}: runs in one pod" in built.stderr) is (job != "retried"), built.stderr
    replay = run_local(tmp_path, "--entrypoint", f"job-{job}")
    output = replay.stdout + replay.stderr
    assert replay.returncode == (0 if succeeds else 1), output
    assert sorted(runs(argo_record)) == sorted(runs(dagster_record)), output
    assert _stored(argo_record) == _stored(dagster_record)
    # the features at work (Dagster's own answer, so each case tests what it says)
    assert {
        "conditional": "quarantine" not in runs(dagster_record),
        "retried": runs(dagster_record) == ["flaky"] * 2,
    }.get(job, True)
    if not succeeds:
        assert "materialize: FAILED job=failing partition=-: ValueError: the source is unreachable" in output, output


LONE_GRAPH = """
from pathlib import Path

import dagster as dg


@dg.op
def greet() -> str:
    return "hello"


@dg.op
def shout(text: str) -> str:
    Path("shouted.txt").write_text(text.upper(), encoding="utf-8")  # in the working directory
    return text.upper()


@dg.graph
def hello_graph() -> None:
    shout(greet())
"""


def test_a_module_holding_one_graph_compiles_as_dagster_loads_it(tmp_path: Path) -> None:
    """`dagster dev -f lone.py` wraps a lone job or graph in a repository; build does the same, and the pod loads
    the same location, so run-local runs the graph's job."""
    write_project(tmp_path, "lone", LONE_GRAPH)
    built = run_compiler("build", "-f", "lone.py", "--out", "out", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "warning: job hello_graph: runs in one pod" in built.stderr
    [template] = sorted((tmp_path / "out").glob("*.workflowtemplate.yaml"))
    assert yaml.safe_load(template.read_text(encoding="utf-8"))["spec"]["entrypoint"] == "job-hello-graph"
    # the demo settings map these to every pod; the graph reads none of them
    unread = {name: "unused" for name in ("MINIO_ACCESS_KEY", "MINIO_SECRET_KEY", "MINIO_BUCKET", "MINIO_ENDPOINT")}
    unread |= {"OPENAQ_API_KEY": "unused", "OPENAQ_BASE_URL": "http://127.0.0.1:9"}
    replay = compiler_process(["run-local", str(template)], tmp_path, {**os.environ, **unread, "PYTHONPATH": str(REPO)})
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert (tmp_path / "shouted.txt").read_text(encoding="utf-8") == "HELLO"
    assert "✔ hello-graph" in replay.stdout


@pytest.mark.parametrize("tick", ["2026-11-27T06:00:00Z", "2026-11-28T06:00:00Z"])  # a Friday, a Saturday
def test_an_op_job_schedule_with_code_is_evaluated_in_the_pod_as_dagster_evaluates_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tick: str
) -> None:
    """Dagster's daemon evaluates the schedule for the tick and launches the request (its tags on the run) or skips;
    the pod does the same, so the same runs happen with the same tags."""
    from tests.compiler.projects.fidelity import op_job_features as project

    dagster_record, argo_record = tmp_path / "dagster-record", tmp_path / "argo-record"
    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(dagster_record))
    when = datetime.fromisoformat(tick)
    with dg.build_schedule_context(scheduled_execution_time=when) as context:
        requests = project.weekdays_only.evaluate_tick(context).run_requests or []
    for request in requests:
        run = project.weekday_report.execute_in_process(instance=dg.DagsterInstance.ephemeral(), tags=request.tags)
        assert run.success

    assert build(tmp_path, "op_job_features").returncode == 0
    replay = run_local(
        tmp_path, "--entrypoint", "job-weekday-report", "--scheduled-time", tick, "-p", "schedule=weekdays_only"
    )
    output = replay.stdout + replay.stderr
    assert replay.returncode == 0, output
    assert runs(argo_record) == runs(dagster_record), output
    assert len(requests) == (1 if when.weekday() < 5 else 0)  # the case is what it says


def test_a_backfill_of_the_nightly_op_job_runs_each_day_as_dagster_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`compiler backfill` over an op job's schedule: one run of the job per day, each with its partition."""
    from tests.compiler.projects.fidelity import nightly_files as project

    days = ["2026-11-25", "2026-11-26", "2026-11-27"]
    dagster_record, argo_record = tmp_path / "dagster-record", tmp_path / "argo-record"
    for record in (dagster_record, argo_record):
        folder = record / "landing" / "date=2026-11-26"
        folder.mkdir(parents=True)
        (folder / "only.csv").write_text("station,value\na,1\n", encoding="utf-8")
    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(dagster_record))
    for day in days:
        assert project.nightly_files.execute_in_process(partition_key=day, instance=dg.DagsterInstance.ephemeral())

    assert build(tmp_path, "nightly_files").returncode == 0
    assert_backfill_runs_as_dagster(tmp_path, "nightly_files", "nightly_files_schedule", days)


def assert_backfill_runs_as_dagster(tmp_path: Path, project: str, schedule: str, days: list[str]) -> None:
    """`compiler backfill` of the built fidelity `project`'s `schedule` over `days`, replayed by run-local against
    its WorkflowTemplate: the runs, stored values and daily summaries equal those Dagster's in-process runs recorded
    under tmp_path/dagster-record."""
    dagster_record, argo_record = tmp_path / "dagster-record", tmp_path / "argo-record"
    workflow = tmp_path / "backfill.yaml"
    backfill = compiler_process(
        [
            *("backfill", "--schedule", schedule, "--start", days[0], "--end", days[-1]),
            *("-m", f"tests.compiler.projects.fidelity.{project}", "--settings", str(tmp_path / "pyproject.toml")),
            *("--out", str(workflow)),
        ],
        REPO,
        {**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert backfill.returncode == 0, backfill.stderr
    replay = compiler_process(
        ["run-local", str(workflow), "--templates", str(tmp_path / "out" / "fidelity.workflowtemplate.yaml")],
        REPO,
        {**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert sorted(runs(argo_record)) == sorted(runs(dagster_record))
    assert _stored(argo_record) == _stored(dagster_record)
    for day in days:
        summary = f"summaries/{day}.json"
        assert (argo_record / summary).read_text(encoding="utf-8") == (dagster_record / summary).read_text("utf-8")


SHAPES = ["linear", "fan_in", "branching", "dynamic_shapes", "nested", "configured"]


@pytest.mark.parametrize("job", SHAPES)
def test_the_documented_op_job_shapes_replay_as_dagster_runs_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, job: str
) -> None:
    """Linear, fan-in, branching, chained/multiple dynamic outputs with a mapped graph, nested graphs with a config
    mapping and hooks, job config: the same ops (by node handle and mapping key), hooks and config on both sides."""
    from tests.compiler.projects.fidelity import op_job_shapes as project

    dagster_record, argo_record = tmp_path / "dagster-record", tmp_path / "argo-record"
    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(dagster_record))
    direct = project.defs.resolve_job_def(job).execute_in_process(instance=dg.DagsterInstance.ephemeral())
    assert direct.success

    built = build(tmp_path, "op_job_shapes")
    assert built.returncode == 0, built.stderr
    assert sum(line.startswith("warning: job ") for line in built.stderr.splitlines()) == len(SHAPES)
    replay = run_local(tmp_path, "--entrypoint", f"job-{job.replace('_', '-')}")
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert sorted(runs(argo_record)) == sorted(runs(dagster_record))


def test_listing_the_nightly_cron_workflow_ticks_names_the_partitions_dagster_requests(tmp_path: Path) -> None:
    """`run-local CRONWORKFLOW --from --to` evaluates what each tick's pod would run, for an op job too."""
    from tests.compiler.projects.fidelity import nightly_files as project

    assert build(tmp_path, "nightly_files").returncode == 0
    [cron] = sorted((tmp_path / "out").glob("*.cronworkflow.yaml"))
    listed = compiler_process(
        ["run-local", str(cron), "--from", "2026-11-27", "--to", "2026-11-29"],
        REPO,
        {**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert isinstance(project.nightly, dg.ScheduleDefinition)
    for day in (27, 28):
        tick = datetime(2026, 11, day, 1, 0, tzinfo=UTC)
        with dg.build_schedule_context(scheduled_execution_time=tick) as context:
            [request] = project.nightly.evaluate_tick(context).run_requests or []
        assert (
            f"{tick.isoformat()}  ({tick.isoformat().replace('+00:00', 'Z')})  partition {request.partition_key}"
            in (listed.stdout)
        )
