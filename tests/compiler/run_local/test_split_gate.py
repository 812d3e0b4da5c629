"""A split job under a schedule-gate that answers the same for every task (tests/compiler/projects/split_dst.py).
Its DAG is split into chunks (compiler/builder/split.py), also as child Workflows (compiler/builder/child_workflows.py),
and the gate gates each chunk task. A plain cron at 02:30 Europe/Vienna, whose spring gap gives the CronWorkflow an
extra 03:00 entry on March Sundays and the DAG a gate skipping it on the other ones (dst_cover.py): every tick Argo
fires on an ordinary March Sunday is replayed with `run-local`, and the assets must run exactly at Dagster's own
ticks. A schedule with code of its own: a weekday runs the whole job and a weekend tick nothing, as Dagster's own
evaluation says; a tick selecting part of the job fails the gate, so nothing runs rather than all."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
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
    [cron] = built.glob("*-0230.cronworkflow.yaml")
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


def _dagster_selects(tick: datetime) -> bool | None:
    """Dagster's own answer for `weekdays` at `tick`: True for the whole job, False for no run, None for part."""
    schedule = split_dst.defs.resolve_schedule_def("weekdays")
    repository = split_dst.defs.get_repository_def()
    with dg.build_schedule_context(scheduled_execution_time=tick, repository_def=repository) as context:
        requests = schedule.evaluate_tick(context).run_requests or []
    if not requests:
        return False
    [request] = requests
    return None if request.asset_selection else True


@pytest.mark.parametrize(
    "tick",
    [datetime(2026, 12, 4, 4, tzinfo=UTC), datetime(2026, 12, 5, 4, tzinfo=UTC), datetime(2027, 6, 1, 4, tzinfo=UTC)],
    ids=["friday", "saturday", "part-of-the-job"],
)
def test_a_schedule_with_code_of_its_own_runs_the_whole_job_or_nothing(
    built: Path, tmp_path: Path, tick: datetime
) -> None:
    arguments = ["run-local", str(built / "shapes.workflowtemplate.yaml"), "--entrypoint", "job-nightly"]
    arguments += ["-p", "schedule=weekdays", "--scheduled-time", tick.isoformat(), "--backoff-scale", "0"]
    replay = compiler(arguments, shapes_env(tmp_path))
    ran = sorted(p.name for p in tmp_path.iterdir())
    dagster = _dagster_selects(tick)
    if dagster is None:  # Dagster would run link_0 alone; the chunks cannot, so the gate fails and nothing runs
        assert replay.returncode != 0
        assert "asset_selection names 1 of the 6 assets of job nightly" in replay.stdout + replay.stderr
        assert ran == []
    else:
        assert replay.returncode == 0, replay.stdout + replay.stderr
        assert ran == (ASSETS if dagster else [])
