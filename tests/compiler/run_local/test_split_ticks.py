"""`run-local CRONWORKFLOW --from/--to` of a schedule whose job's DAG is split into chunk WorkflowTemplates
(compiler/builder/split.py), also with each chunk a child Workflow (compiler/builder/child_workflows.py): the ticks
resolve the templateRefs as a replay does, from the files beside the CronWorkflow or those given with --templates,
and each tick lists the partition Dagster's own schedule requests at that time."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from tests.compiler.projects import split_daily
from tests.compiler.run_local.child_support import build_with_children
from tests.compiler.run_local.replay_support import build, compiler, shapes_env

MODULE = "tests.compiler.projects.split_daily"
CRON = "shapes-daily-schedule.cronworkflow.yaml"
TICKS = [datetime(2026, 11, day, 3, tzinfo=UTC) for day in (27, 28, 29)]  # the schedule's 03:00 UTC, three days


@pytest.fixture(scope="module", params=["chunks", "child-workflows"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("split-ticks")
    result = build(MODULE, root) if request.param == "chunks" else build_with_children(root, MODULE)
    assert result.returncode == 0, result.stderr
    if request.param == "child-workflows":
        assert "DAG job-daily of shapes runs its chunks as child Workflows" in result.stderr
    out = root / "out"
    assert len(list(out.glob("shapes-job-daily-*.workflowtemplate.yaml"))) > 1  # the job's DAG is in chunks
    return out


def _dagster_partition(tick: datetime) -> str:
    """Dagster's own answer: the partition its schedule requests at `tick`."""
    schedule = split_daily.defs.resolve_schedule_def("daily_schedule")
    repository = split_daily.defs.get_repository_def()
    with dg.build_schedule_context(scheduled_execution_time=tick, repository_def=repository) as context:
        [request] = schedule.evaluate_tick(context).run_requests or []
    assert request.partition_key is not None
    return request.partition_key


@pytest.mark.parametrize("templates", [[], ["--templates", "{out}"]], ids=["beside", "given"])
def test_a_split_jobs_ticks_list_the_partitions_dagsters_schedule_requests(
    built: Path, tmp_path: Path, templates: list[str]
) -> None:
    arguments = ["run-local", str(built / CRON), "--from", "2026-11-27", "--to", "2026-11-29T12:00"]
    result = compiler([*arguments, *(t.format(out=built) for t in templates)], shapes_env(tmp_path / "unused"))
    assert result.returncode == 0, result.stderr
    listed = [line for line in result.stdout.splitlines() if line.startswith("2026-")]
    expected = [f"{t.isoformat()}  ({t:%Y-%m-%dT%H:%M:%SZ})  partition {_dagster_partition(t)}" for t in TICKS]
    assert listed == expected
