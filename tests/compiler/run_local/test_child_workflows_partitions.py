"""Child Workflows get the parent's workflow parameters and cron tick (compiler/builder/child_workflows.py): a
daily-partitioned chain split into chunks, built with CHILD_WORKFLOWS_ABOVE lowered to 0 so each chunk is a child
Workflow, replayed by run-local. The partition every child's pods build is the one Dagster's schedule requests for
the tick, or the one `-p partition=K` names, and the stored objects equal Dagster's in-process run of it."""

import importlib
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from tests.compiler.run_local.child_support import build_with_children, compiler_with_children
from tests.compiler.run_local.replay_support import compiler, shapes_env, written_keys

MODULE = "tests.compiler.projects.split_daily"
TICK = "2026-11-28T03:00:00Z"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("daily-children")
    result = build_with_children(root, MODULE)
    assert result.returncode == 0, result.stderr
    assert "DAG job-daily of shapes runs its chunks as child Workflows" in result.stderr
    return root / "out"


def _dagster(directory: Path, partition: str, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    monkeypatch.setenv("SHAPES_DIR", str(directory))
    defs: dg.Definitions = importlib.import_module(MODULE).defs
    result = dg.materialize(
        list(defs.assets or []),  # type: ignore[arg-type]
        resources=defs.resources,
        partition_key=partition,
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events() if e.asset_key}


def _requested_partition() -> str:
    """Dagster's own answer: the partition its schedule requests for the tick."""
    defs: dg.Definitions = importlib.import_module(MODULE).defs
    schedule = defs.resolve_schedule_def("daily_schedule")
    tick = datetime.fromisoformat(TICK.replace("Z", "+00:00")).astimezone(UTC)
    with dg.build_schedule_context(scheduled_execution_time=tick, repository_def=defs.get_repository_def()) as ctx:
        [request] = schedule.evaluate_tick(ctx).run_requests or []
    assert request.partition_key
    return request.partition_key


@pytest.mark.parametrize("manual", [False, True])
def test_every_child_builds_the_partition_of_the_parent(
    built: Path, tmp_path: Path, manual: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    partition = "2026-11-05" if manual else _requested_partition()
    replay_dir, direct_dir = tmp_path / "replay" / "shapes", tmp_path / "direct" / "shapes"
    given = ["-p", f"partition={partition}"] if manual else ["--scheduled-time", TICK, "-p", "schedule=daily_schedule"]
    arguments = ["run-local", str(built / "shapes.workflowtemplate.yaml"), "--entrypoint", "job-daily", *given]
    result = compiler([*arguments, "--backoff-scale", "0"], shapes_env(replay_dir))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    _dagster(direct_dir, partition, monkeypatch)
    assert written_keys(replay_dir) == written_keys(direct_dir) == {f"day_{i}/{partition}" for i in range(6)}


def test_a_backfill_runs_the_child_workflows_once_per_partition(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`compiler backfill` runs the job's DAG by templateRef for each partition: its chunk tasks create children
    that get each item's partition, as Dagster's backfill runs the job once per partition."""
    backfill = tmp_path / "backfill.yaml"
    arguments = ["backfill", "--module", MODULE, "--settings", str(built.parent / "pyproject.toml")]
    arguments += [
        "--schedule",
        "daily_schedule",
        "--start",
        "2026-11-03",
        "--end",
        "2026-11-04",
        "--out",
        str(backfill),
    ]
    made = compiler_with_children(arguments, tmp_path / "unused")
    assert made.returncode == 0, made.stderr
    replay_dir = tmp_path / "replay" / "shapes"
    result = compiler(
        ["run-local", str(backfill), "--templates", str(built), "--backoff-scale", "0"], shapes_env(replay_dir)
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    direct = set()
    for partition in ("2026-11-03", "2026-11-04"):
        _dagster(tmp_path / "direct" / "shapes", partition, monkeypatch)
        direct |= written_keys(tmp_path / "direct" / "shapes")
    assert (
        written_keys(replay_dir) == direct == {f"day_{i}/{p}" for i in range(6) for p in ("2026-11-03", "2026-11-04")}
    )
