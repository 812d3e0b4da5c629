"""Issue 25, one task per op: an op job whose every handoff goes through shared storage (here the filesystem IO
manager declared shared with `[tool.compiler] shared_io_managers`) compiles to one task per op, a DynamicOut's
mapped op fanned out with withParam. Both sides run (Dagster in process, the compiled YAML through run-local) and
must agree on the ops that ran, the outputs the IO manager stored, the ops skipped and the outcome."""

import json
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest
import yaml

from compiler.builder.op_steps import task_name
from tests.compiler.argo_schema import schema_errors
from tests.compiler.fidelity_support import build, run_local
from tests.compiler.projects.fidelity.record import runs
from tests.compiler.support import REPO, run_compiler
from tests.compiler.test_op_jobs import FILES, _land, _stored, assert_backfill_runs_as_dagster

SHARED = 'shared_io_managers = ["io_manager"]'
TICK = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)  # the 01:00 tick that builds 2026-11-27


def _dag(tmp_path: Path, name: str) -> dict[str, dict[str, object]]:
    """The DAG's tasks by name; the WorkflowTemplate is checked against Argo's own schema first (when present)."""
    document = yaml.safe_load((tmp_path / "out" / "fidelity.workflowtemplate.yaml").read_text(encoding="utf-8"))
    assert schema_errors(document) == []
    [dag] = [t for t in document["spec"]["templates"] if t["name"] == name]
    return {task["name"]: task for task in dag["dag"]["tasks"]}


def _dagster_tick(record: Path, monkeypatch: pytest.MonkeyPatch) -> dg.ExecuteInProcessResult:
    """Dagster's own answer: the schedule's run request for the tick, executed in process."""
    from tests.compiler.projects.fidelity import nightly_files_shared as project

    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(record))
    assert isinstance(project.nightly, dg.ScheduleDefinition)
    with dg.build_schedule_context(scheduled_execution_time=TICK) as context:
        [request] = project.nightly.evaluate_tick(context).run_requests or []
    return project.nightly_files_shared.execute_in_process(
        partition_key=request.partition_key, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )


@pytest.mark.parametrize(
    ("files", "succeeds"),
    [
        pytest.param(FILES, True, id="three-files"),
        pytest.param({}, True, id="empty-day"),
        pytest.param({**FILES, "linz.csv": "station,value\nd,n/a\n"}, False, id="a-malformed-file"),
    ],
)
def test_the_shared_storage_nightly_job_runs_one_pod_per_op_as_dagster_runs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], succeeds: bool
) -> None:
    dagster_record, argo_record = tmp_path / "dagster-record", tmp_path / "argo-record"
    _land(dagster_record, files)
    _land(argo_record, files)
    direct = _dagster_tick(dagster_record, monkeypatch)
    assert direct.success is succeeds

    built = build(tmp_path, "nightly_files_shared", SHARED)
    assert built.returncode == 0, built.stderr
    assert "runs in one pod" not in built.stderr
    tasks = _dag(tmp_path, "job-nightly-files-shared")
    assert sorted(tasks) == ["count-rows", "list-files", "summarize"]  # one task per op
    assert tasks["count-rows"]["withParam"] == "{{tasks.list-files.outputs.parameters.mapping-keys}}"
    assert tasks["summarize"]["depends"] == "count-rows"  # the collect waits for every mapped pod

    tick = TICK.isoformat().replace("+00:00", "Z")
    replay = run_local(tmp_path, "--scheduled-time", tick, "-p", "schedule=nightly_files_shared_schedule")
    output = replay.stdout + replay.stderr
    assert replay.returncode == (0 if succeeds else 1), output
    assert sorted(runs(argo_record)) == sorted(runs(dagster_record)), output
    assert _stored(argo_record) == _stored(dagster_record), output
    summaries = sorted(p.name for p in (dagster_record / "summaries").glob("*.json")) if succeeds else []
    assert sorted(p.name for p in (argo_record / "summaries").glob("*.json")) == summaries
    for name in summaries:
        ours = json.loads((argo_record / "summaries" / name).read_text(encoding="utf-8"))
        assert ours == json.loads((dagster_record / "summaries" / name).read_text(encoding="utf-8"))
    if not files:  # Dagster's answer for an empty mapping: the collect's downstream op still runs, with []
        assert runs(dagster_record) == ["list_files", "summarize"]
        assert "count-rows skipped (Skipped, empty params)" in output
    if files:  # one pod per mapped op: each file's op in a withParam child of its own
        assert f"count-rows: withParam gave {len(files)} item(s)" in output
    if not succeeds:
        assert "could not convert string to float: 'n/a'" in output


def test_without_shared_storage_the_job_still_runs_in_one_pod(tmp_path: Path) -> None:
    """The same job without the setting: its filesystem IO manager keeps values on one pod's disk, so the compiler
    keeps Dagster's in-process execution in one pod, and says so."""
    built = build(tmp_path, "nightly_files_shared")
    assert built.returncode == 0, built.stderr
    assert "warning: job nightly_files_shared: runs in one pod" in built.stderr
    assert sorted(_dag(tmp_path, "job-nightly-files-shared")) == ["nightly-files-shared"]


@pytest.mark.parametrize(
    ("job", "succeeds"),
    [("conditional", True), ("retried", True), ("retries_disabled", False), ("failing", False), ("nested", True)],
)
def test_op_job_features_one_pod_per_op_replay_as_dagster_runs_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, job: str, succeeds: bool
) -> None:
    """A conditional output not yielded skips its downstream op's pod; a flaky op is retried by its RetryPolicy in
    its pod (not when the executor disables retries); a failing op's downstream never runs while an independent op
    does; ops inside nested graphs are one task each, by node handle. Compared with Dagster running the job with its
    own executor."""
    from tests.compiler.projects.fidelity import op_job_features as project

    dagster_record, argo_record = tmp_path / "dagster-record", tmp_path / "argo-record"
    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(dagster_record))
    # Dagster's own answer under the job's executor (a step per process, as the k8s executor runs a step per pod):
    # execute_in_process would ignore the executor's `retries: disabled`
    # (`nested` is built by to_job, which reconstructable cannot find: Dagster in process answers for it)
    (tmp_path / "dagster-home").mkdir()
    if job == "nested":
        assert project.nested.execute_in_process(instance=dg.DagsterInstance.ephemeral()).success
    else:
        with (
            dg.DagsterInstance.local_temp(str(tmp_path / "dagster-home")) as instance,
            dg.execute_job(dg.reconstructable(getattr(project, job)), instance=instance) as direct,
        ):
            assert direct.success is succeeds

    built = build(tmp_path, "op_job_features", SHARED)
    assert built.returncode == 0, built.stderr
    assert f"warning: job {job}: runs in one pod" not in built.stderr, built.stderr
    replay = run_local(tmp_path, "--entrypoint", f"job-{job.replace('_', '-')}")
    output = replay.stdout + replay.stderr
    assert replay.returncode == (0 if succeeds else 1), output
    assert sorted(runs(argo_record)) == sorted(runs(dagster_record)), output
    assert _stored(argo_record) == _stored(dagster_record), output
    # the features at work (Dagster's own answer, so each case tests what it says)
    assert {
        "conditional": "quarantine" not in runs(dagster_record) and "publish" in runs(dagster_record),
        "retried": runs(dagster_record) == ["flaky"] * 2,
        "retries_disabled": runs(dagster_record) == ["flaky_once"],
        "failing": "downstream" not in runs(dagster_record) and "independent" in runs(dagster_record),
    }.get(job, True)
    graph = project.defs.resolve_job_def(job).graph  # one task per op, nested ones by node handle
    ops = [str(h) for h in graph.iterate_node_handles() if isinstance(graph.get_node(h).definition, dg.OpDefinition)]
    tasks = _dag(tmp_path, f"job-{job.replace('_', '-')}")
    assert sorted(tasks) == sorted(task_name(op) for op in ops)
    if job == "nested":  # load reads transform's output, which the op square inside it yields
        assert tasks[task_name("load")]["depends"] == task_name("transform.square")
    if job == "conditional":  # quarantine's pod ran and skipped the op, as Dagster skipped it: a success in Argo
        assert "✔ quarantine" in output


@pytest.mark.parametrize("job", ["quiet_day", "either_source", "nothing_yielded", "skipped_fan_out"])
def test_dagster_skipping_rules_hold_across_pods(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, job: str) -> None:
    """An optional DynamicOut yielding nothing skips the collect's op; a fan-in runs with the sources that yielded
    and is skipped only when none did: the same ops ran as under Dagster's own executor, one process per step."""
    from tests.compiler.projects.fidelity import op_step_shapes as project

    dagster_record, argo_record = tmp_path / "dagster-record", tmp_path / "argo-record"
    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(dagster_record))
    (tmp_path / "dagster-home").mkdir()
    with (
        dg.DagsterInstance.local_temp(str(tmp_path / "dagster-home")) as instance,
        dg.execute_job(dg.reconstructable(getattr(project, job)), instance=instance) as direct,
    ):
        assert direct.success

    built = build(tmp_path, "op_step_shapes", SHARED)
    assert built.returncode == 0, built.stderr
    assert "runs in one pod" not in built.stderr
    replay = run_local(tmp_path, "--entrypoint", f"job-{job.replace('_', '-')}")
    output = replay.stdout + replay.stderr
    assert replay.returncode == 0, output
    assert sorted(runs(argo_record)) == sorted(runs(dagster_record)), output
    assert _stored(argo_record) == _stored(dagster_record), output
    assert {  # the rule at work, in Dagster's own answer
        "quiet_day": runs(dagster_record) == ["no_files"],
        "either_source": "combine [2]" in runs(dagster_record) and "report 2" in runs(dagster_record),
        "nothing_yielded": not any(r.startswith(("combine", "report")) for r in runs(dagster_record)),
        "skipped_fan_out": runs(dagster_record) == ["maybe maybe"],  # split, parse and total all skipped
    }[job]


def test_a_backfill_of_the_shared_storage_nightly_job_runs_each_day_one_pod_per_op(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`compiler backfill` over the job's schedule: each day's DAG passes its partition to every op's pod."""
    from tests.compiler.projects.fidelity import nightly_files_shared as project

    days = ["2026-11-26", "2026-11-27"]
    dagster_record, argo_record = tmp_path / "dagster-record", tmp_path / "argo-record"
    for record in (dagster_record, argo_record):
        _land(record, FILES)  # 2026-11-27; 2026-11-26 is an empty day
    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(dagster_record))
    for day in days:
        assert project.nightly_files_shared.execute_in_process(
            partition_key=day, instance=dg.DagsterInstance.ephemeral()
        )

    assert build(tmp_path, "nightly_files_shared", SHARED).returncode == 0
    assert_backfill_runs_as_dagster(tmp_path, "nightly_files_shared", "nightly_files_shared_schedule", days)


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--known-state", "{not json", "--run-id", "u"], "materialize: bad usage: --known-state is not JSON"),
        (["--known-state", "[]"], "materialize: bad usage: --op needs --run-id"),
    ],
)
def test_bad_op_step_arguments_are_one_line_and_exit_2(tmp_path: Path, extra: list[str], says: str) -> None:
    module = "tests.compiler.projects.fidelity.nightly_files_shared"
    ran = run_compiler(
        "materialize", "-m", module, "--job", "nightly_files_shared", "--op", "list_files", *extra, cwd=REPO
    )
    assert ran.returncode == 2, ran.stdout + ran.stderr
    lines = (ran.stdout + ran.stderr).strip().splitlines()
    assert lines[-1].startswith(says)
    assert "Traceback" not in ran.stdout + ran.stderr


def test_the_executors_max_concurrent_bounds_the_op_pods_of_a_run(tmp_path: Path) -> None:
    """multiprocess_executor max_concurrent: N runs at most N steps of a run at once: the DAG's parallelism."""
    from tests.compiler.projects.fidelity import op_step_shapes as project

    built = build(tmp_path, "op_step_shapes", SHARED)
    assert built.returncode == 0, built.stderr
    document = yaml.safe_load((tmp_path / "out" / "fidelity.workflowtemplate.yaml").read_text(encoding="utf-8"))
    dags = {t["name"]: t for t in document["spec"]["templates"] if "dag" in t}
    mapped = project.one_at_a_time.executor_def.apply_config_mapping({})
    assert mapped.success
    assert isinstance(mapped.value, dict)
    config = mapped.value["config"]
    assert dags["job-one-at-a-time"]["parallelism"] == config["max_concurrent"] == 1
    assert "parallelism" not in dags["job-either-source"]  # max_concurrent unset: warned, every ready task runs
    assert "warning: executor multiprocess (job either_source): max_concurrent is not set" in built.stderr


def test_step_fusion_leaves_op_jobs_alone(tmp_path: Path) -> None:
    """`fuse_chains = true` fuses chains of assets; an op job's tasks run Dagster's ops and are never fused (the build
    crashed on them before)."""
    built = build(tmp_path, "nightly_files_shared", f"{SHARED}\nfuse_chains = true")
    assert built.returncode == 0, built.stderr
    assert sorted(_dag(tmp_path, "job-nightly-files-shared")) == ["count-rows", "list-files", "summarize"]
