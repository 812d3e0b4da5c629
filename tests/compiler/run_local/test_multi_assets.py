"""Multi-assets compiled and replayed: one task per op, downstream tasks wait for it, and a job selecting part of a
subsettable multi-asset materializes exactly those keys, the same as Dagster running the job in process."""

from pathlib import Path

import pytest

from tests.compiler.argo_schema import schema_errors
from tests.compiler.run_local.replay_support import (
    asset_argument,
    build,
    dag_tasks,
    in_process,
    load_yaml,
    materialize,
    run_local,
    written_keys,
)

MODULE = "tests.compiler.projects.multi_assets"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("multi")
    result = build(MODULE, root)
    assert result.returncode == 0, result.stderr
    return root / "out" / "shapes.workflowtemplate.yaml"


def test_one_task_per_op_and_downstream_waits_for_it(built: Path) -> None:
    document = load_yaml(built)
    assert schema_errors(document) == []
    main = dag_tasks(document, "main")
    assert set(main) == {"pair", "regions", "summary", "south-report"}
    assert asset_argument(main["pair"]) == "raw/left,raw/right"
    assert asset_argument(main["regions"]) == "north,south"
    assert main["regions"]["depends"] == "pair"  # reads raw/left
    assert main["summary"]["depends"] == "pair"  # reads raw/right
    assert main["south-report"]["depends"] == "regions"


def test_subset_job_passes_exactly_the_selected_keys(built: Path) -> None:
    job = dag_tasks(load_yaml(built), "job-south-only")
    assert set(job) == {"pair", "regions", "south-report"}
    assert asset_argument(job["regions"]) == "south"  # can_subset=True: only the selected key
    assert asset_argument(job["pair"]) == "raw/left,raw/right"


@pytest.mark.parametrize(("entrypoint", "job"), [(None, None), ("job-south-only", "south_only")])
def test_replay_materializes_the_keys_dagster_does(
    built: Path, tmp_path: Path, entrypoint: str | None, job: str | None
) -> None:
    replay_dir, direct_dir = tmp_path / "replay", tmp_path / "direct"
    replay = run_local(built, replay_dir, *(("--entrypoint", entrypoint) if entrypoint else ()))
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-2000:]
    direct_keys = in_process(MODULE, direct_dir, job)
    assert written_keys(replay_dir) == written_keys(direct_dir) == direct_keys
    if job:
        assert "north" not in direct_keys
        assert "south" in direct_keys


def test_materialize_takes_several_keys_of_one_op(tmp_path: Path) -> None:
    assert materialize(MODULE, tmp_path, "raw/left,raw/right").returncode == 0
    repeated = materialize(MODULE, tmp_path, "north", "south")  # repeatable --asset, the same as a comma
    assert repeated.returncode == 0, repeated.stdout[-2000:]
    assert "materialize: succeeded asset=north,south" in repeated.stdout
    assert written_keys(tmp_path) == {"raw/left", "raw/right", "north", "south"}


def test_materialize_refuses_part_of_an_op_that_cannot_subset(tmp_path: Path) -> None:
    result = materialize(MODULE, tmp_path, "raw/left")
    assert result.returncode == 2
    assert "multi-asset pair cannot subset (can_subset=False): pass all its keys, also raw/right" in result.stdout
    mixed = materialize(MODULE, tmp_path, "summary", "south")
    assert mixed.returncode == 2
    assert "belong to different ops (regions, summary)" in mixed.stdout
