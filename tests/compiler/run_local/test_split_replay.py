"""A project whose WorkflowTemplate would pass 256 KiB is split into chunk WorkflowTemplates joined by templateRef
(compiler/builder/split.py); run-local resolves the references and replays the whole graph as Argo would, and what
it materializes, also when an asset fails, is what Dagster's in-process run materializes."""

import importlib
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from compiler.builder.size_budget import LAST_APPLIED_LIMIT, json_size
from tests.compiler.argo_schema import schema_errors
from tests.compiler.run_local.replay_support import build, compiler, load_yaml, shapes_env, written_keys

MODULE = "tests.compiler.projects.split_dag"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("split")
    result = build(MODULE, root)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr  # a chain cut into chunks keeps Dagster's meaning
    return root / "out"


def _dagster(directory: Path, fail: str, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Dagster's own answer: every asset materialized in process, the failure not raised."""
    monkeypatch.setenv("SHAPES_DIR", str(directory))
    defs: dg.Definitions = importlib.import_module(MODULE).defs
    assets = list(defs.assets or [])
    result = dg.materialize(
        assets,  # type: ignore[arg-type]
        resources=defs.resources,
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert result.success == (fail == "")
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events() if e.asset_key}


def _replay(built: Path, directory: Path, fail: str) -> tuple[int, str]:
    arguments = ["run-local", str(built / "shapes.workflowtemplate.yaml"), "--backoff-scale", "0"]
    result = compiler([*arguments, "--max-parallel", "2"], shapes_env(directory))
    return result.returncode, result.stdout[-3000:] + result.stderr[-2000:]


def test_the_split_files_are_each_under_the_client_side_limit(built: Path) -> None:
    templates = sorted(built.glob("*.workflowtemplate.yaml"))
    assert len(templates) > 2
    for path in templates:
        document = load_yaml(path)
        assert schema_errors(document) == [], path.name
        assert json_size(document) < LAST_APPLIED_LIMIT, path.name
    main = load_yaml(built / "shapes.workflowtemplate.yaml")
    [dag] = [t["dag"] for t in main["spec"]["templates"] if t["name"] == "main"]
    assert all("templateRef" in task for task in dag["tasks"])
    assert {p.name for p in templates} <= set(load_yaml(built / "kustomization.yaml")["resources"])
    # references run one way, main → chunks → steps, so `argo template create` can take the files in that order
    names = {p.name.removesuffix(".workflowtemplate.yaml"): _referenced(load_yaml(p)) for p in templates}
    assert names["shapes-steps"] == set()
    assert names["shapes"] == set(names) - {"shapes", "shapes-steps"}
    assert all(names[chunk] == {"shapes-steps"} for chunk in names if chunk.startswith("shapes-main-"))
    chunks = {task["name"]: task.get("depends", "") for task in dag["tasks"]}
    assert len(chunks) == 6  # the lone assets' bucket, the chain's two chunks, the tree's root and its leaves' two
    assert sorted(chunks.values()).count("") == 3  # each chunk after its group's first waits for the one before


def _referenced(document: dict[str, Any]) -> set[str]:
    return {
        task["templateRef"]["name"]
        for template in document["spec"]["templates"]
        for task in (template.get("dag") or {}).get("tasks", [])
        if "templateRef" in task
    }


@pytest.mark.parametrize("fail", ["", "chain_1", "lone_a", "tree_root", "tree_1"])
def test_replaying_the_split_graph_matches_dagster(
    built: Path, tmp_path: Path, fail: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    replay_dir, direct_dir = tmp_path / "replay" / "shapes", tmp_path / "direct" / "shapes"
    for directory in (replay_dir, direct_dir):  # the asset to fail, read by the project beside SHAPES_DIR
        directory.parent.mkdir()
        (directory.parent / "fail").write_text(fail, encoding="utf-8")
    code, output = _replay(built, replay_dir, fail)
    assert code == (1 if fail else 0), output
    direct = _dagster(direct_dir, fail, monkeypatch)
    assert written_keys(replay_dir) == written_keys(direct_dir) == direct
    everything = {*(f"chain_{i}" for i in range(6)), "tree_root", *(f"tree_{i}" for i in range(4)), "lone_a", "lone_b"}
    if fail == "chain_1":  # the failure skips its downstream in the next chunk too, and nothing else
        assert direct == everything - {f"chain_{i}" for i in range(1, 6)}
    if fail == "tree_1":  # its siblings run, in its own chunk and in the next
        assert direct == everything - {"tree_1"}
