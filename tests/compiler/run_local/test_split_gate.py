"""A split job under a schedule-gate that only filters ticks: a plain cron at 02:30 Europe/Vienna, whose spring
gap gives the CronWorkflow an extra 03:00 entry on March Sundays and the DAG a gate skipping it on the other ones
(compiler/builder/fidelity/dst_cover.py). Its job's DAG is split into chunks (compiler/builder/split.py), also as
child Workflows (compiler/builder/child_workflows.py): the gate then gates each chunk task. Every tick Argo fires on
an ordinary March Sunday is replayed with `run-local`; the assets must run exactly at Dagster's own ticks."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from dagster._utils.schedules import schedule_execution_time_iterator

from compiler.validate.robfig import argo_schedules, argo_ticks
from tests.compiler.projects import split_dst
from tests.compiler.run_local.child_support import build_with_children
from tests.compiler.run_local.replay_support import build, compiler, dag_tasks, load_yaml, shapes_env

MODULE = "tests.compiler.projects.split_dst"
SCHEDULE = "nightly_0230"
ASSETS = sorted(f"link_{i}" for i in range(6))
# An ordinary Sunday of March 2026, a week before the switch: 02:30 CET is a tick, 03:00 (the extra entry) is not.
LOW, HIGH = datetime(2026, 3, 21, 12, tzinfo=UTC), datetime(2026, 3, 22, 12, tzinfo=UTC)


@pytest.fixture(scope="module", params=["chunks", "child-workflows"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("split-gate")
    result = build(MODULE, root) if request.param == "chunks" else build_with_children(root, MODULE)
    assert result.returncode == 0, result.stderr
    out = root / "out"
    assert len(list(out.glob("shapes-job-nightly-*.workflowtemplate.yaml"))) > 1  # the job's DAG is in chunks
    checked = compiler(["validate", *map(str, sorted(out.glob("*.yaml")))], shapes_env(root / "unused"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    return out


def _span() -> tuple[int, int]:
    return int(LOW.timestamp()), int(HIGH.timestamp())


def _dagster_ticks() -> set[datetime]:
    """Dagster's own ticks of the schedule in [LOW, HIGH)."""
    schedule = split_dst.defs.resolve_schedule_def(SCHEDULE)
    ticks: set[datetime] = set()
    for tick in schedule_execution_time_iterator(LOW.timestamp(), schedule.cron_schedule, "Europe/Vienna"):
        if tick >= HIGH:
            return ticks
        ticks.add(tick.astimezone(UTC))
    raise AssertionError("unreachable")


def test_the_gate_gates_every_chunk_task(built: Path) -> None:
    tasks = dag_tasks(load_yaml(built / "shapes.workflowtemplate.yaml"), "job-nightly")
    chunks = [name for name in tasks if name.startswith("part-")]
    assert len(chunks) > 1
    assert set(tasks) == {"schedule-gate", *chunks}
    for name in chunks:
        assert tasks[name]["when"] == "{{tasks.schedule-gate.outputs.parameters." + name + "}} == true"


def test_each_argo_tick_runs_the_job_exactly_when_dagster_ticks(built: Path, tmp_path: Path) -> None:
    [cron] = built.glob("*.cronworkflow.yaml")
    spec = load_yaml(cron)["spec"]
    fired = [
        datetime.fromtimestamp(instant, UTC)
        for instant in argo_ticks(argo_schedules(spec["schedules"], spec["timezone"]), *_span())
    ]
    dagster = _dagster_ticks()
    assert len(fired) == 2  # 02:30 CET and the extra 03:00 entry
    assert len(dagster) == 1  # Dagster fires at 02:30 only
    for tick in fired:
        stored = tmp_path / tick.strftime("%H%M")
        arguments = ["run-local", str(built / "shapes.workflowtemplate.yaml"), "--entrypoint", "job-nightly"]
        arguments += ["-p", f"schedule={SCHEDULE}", "--scheduled-time", tick.isoformat(), "--backoff-scale", "0"]
        replay = compiler(arguments, shapes_env(stored))
        assert replay.returncode == 0, replay.stdout + replay.stderr
        ran = sorted(p.name for p in stored.iterdir()) if stored.exists() else []
        assert ran == (ASSETS if tick in dagster else []), tick
