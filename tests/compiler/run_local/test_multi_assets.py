"""Multi-assets compiled and replayed: one task per op, downstream tasks wait for it, and a job selecting part of a
subsettable multi-asset materializes exactly those keys, the same as Dagster running the job in process."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml

from tests.compiler.argo_schema import schema_errors

REPO = Path(__file__).resolve().parents[3]
MODULE = "tests.compiler.projects.multi_assets"
SETTINGS = """
[tool.compiler]
name = "shapes"
image = "registry.example/shapes"
image_tag = "1.0"
namespace = "argo"
service_account = "shapes"
config_map = "shapes-config"
config_keys = ["SHAPES_DIR"]

[tool.compiler.env]
HOME = "/tmp"
"""


def _env(shapes_dir: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "SHAPES_DIR": str(shapes_dir)}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("multi")
    (root / "pyproject.toml").write_text(SETTINGS, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "compiler",
            "build",
            "--module",
            MODULE,
            "--settings",
            str(root / "pyproject.toml"),
            "--out",
            str(root / "out"),
        ],
        cwd=REPO,
        env=_env(root / "unused"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return root / "out" / "shapes.workflowtemplate.yaml"


def _template(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


def _tasks(document: dict[str, Any], dag: str) -> dict[str, dict[str, Any]]:
    [template] = [t for t in document["spec"]["templates"] if t["name"] == dag]
    return {task["name"]: task for task in template["dag"]["tasks"]}


def _asset_argument(task: dict[str, Any]) -> str:
    [value] = [p["value"] for p in task["arguments"]["parameters"] if p["name"] == "asset"]
    return str(value)


def _written_keys(directory: Path) -> set[str]:
    """FilesystemIOManager stores each key's value at <base_dir>/<key path>."""
    return {str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file() and "storage" not in p.parts}


def _in_process(directory: Path, job: str | None) -> set[str]:
    """Dagster's own answer: the job (or every asset) executed in process with the same IO manager."""
    os.environ["SHAPES_DIR"] = str(directory)
    try:
        from tests.compiler.projects.multi_assets import defs

        instance = dg.DagsterInstance.ephemeral()
        if job:
            result = defs.resolve_job_def(job).execute_in_process(instance=instance)
        else:
            result = dg.materialize(list(defs.assets or []), resources=defs.resources, instance=instance)  # type: ignore[arg-type]
        assert result.success
        return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events() if e.asset_key}
    finally:
        del os.environ["SHAPES_DIR"]


def _run_local(template: Path, directory: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "compiler",
            "run-local",
            str(template),
            "--scheduled-time",
            "2026-11-28T03:00:00Z",
            *extra,
        ],
        cwd=REPO,
        env=_env(directory),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_one_task_per_op_and_downstream_waits_for_it(built: Path) -> None:
    document = _template(built)
    assert schema_errors(document) == []
    main = _tasks(document, "main")
    assert set(main) == {"pair", "regions", "summary", "south-report"}
    assert _asset_argument(main["pair"]) == "raw/left,raw/right"
    assert _asset_argument(main["regions"]) == "north,south"
    assert main["regions"]["depends"] == "pair"  # reads raw/left
    assert main["summary"]["depends"] == "pair"  # reads raw/right
    assert main["south-report"]["depends"] == "regions"


def test_subset_job_passes_exactly_the_selected_keys(built: Path) -> None:
    job = _tasks(_template(built), "job-south-only")
    assert set(job) == {"pair", "regions", "south-report"}
    assert _asset_argument(job["regions"]) == "south"  # can_subset=True: only the selected key
    assert _asset_argument(job["pair"]) == "raw/left,raw/right"


@pytest.mark.parametrize(("entrypoint", "job"), [(None, None), ("job-south-only", "south_only")])
def test_replay_materializes_the_keys_dagster_does(
    built: Path, tmp_path: Path, entrypoint: str | None, job: str | None
) -> None:
    replay_dir, direct_dir = tmp_path / "replay", tmp_path / "direct"
    replay = _run_local(built, replay_dir, *(("--entrypoint", entrypoint) if entrypoint else ()))
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-2000:]
    direct_keys = _in_process(direct_dir, job)
    assert _written_keys(replay_dir) == _written_keys(direct_dir) == direct_keys
    if job:
        assert "north" not in direct_keys
        assert "south" in direct_keys


def _materialize(directory: Path, *assets: str) -> subprocess.CompletedProcess[str]:
    arguments = [a for asset in assets for a in ("--asset", asset)]
    return subprocess.run(
        [sys.executable, "-m", "compiler", "materialize", "--module", MODULE, *arguments],
        cwd=REPO,
        env=_env(directory),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_materialize_takes_several_keys_of_one_op(tmp_path: Path) -> None:
    assert _materialize(tmp_path, "raw/left,raw/right").returncode == 0
    repeated = _materialize(tmp_path, "north", "south")  # repeatable --asset, the same as a comma
    assert repeated.returncode == 0, repeated.stdout[-2000:]
    assert "materialize: succeeded asset=north,south" in repeated.stdout
    assert _written_keys(tmp_path) == {"raw/left", "raw/right", "north", "south"}


def test_materialize_refuses_part_of_an_op_that_cannot_subset(tmp_path: Path) -> None:
    result = _materialize(tmp_path, "raw/left")
    assert result.returncode == 2
    assert "multi-asset pair cannot subset (can_subset=False): pass all its keys, also raw/right" in result.stdout
    mixed = _materialize(tmp_path, "summary", "south")
    assert mixed.returncode == 2
    assert "belong to different ops (regions, summary)" in mixed.stdout
