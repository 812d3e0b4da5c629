"""A workflow of workflows (compiler/builder/child_workflows.py), scaled down: the split project of
test_split_replay.py built with CHILD_WORKFLOWS_ABOVE lowered to 0, so every chunk of `main` runs as a child Workflow
created by a `resource` task. run-local replays each child from its WorkflowTemplate (run_local/child_workflow.py),
and what it materializes, also when an asset fails in one child, equals what Dagster's in-process run materializes:
a failed chunk fails its child Workflow as a whole, the chunks depending on it are omitted, the rest runs."""

import importlib
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml

from tests.compiler.argo_schema import schema_errors
from tests.compiler.run_local.child_support import build_with_children
from tests.compiler.run_local.replay_support import compiler, load_yaml, shapes_env, written_keys

MODULE = "tests.compiler.projects.split_dag"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("children")
    result = build_with_children(root, MODULE)
    assert result.returncode == 0, result.stderr
    return root / "out"


def _main(built: Path) -> dict[str, Any]:
    return load_yaml(built / "shapes.workflowtemplate.yaml")


def test_each_chunk_is_a_child_workflow_created_and_awaited_by_its_phase(built: Path) -> None:
    document = _main(built)
    assert schema_errors(document) == []
    templates = {t["name"]: t for t in document["spec"]["templates"]}
    tasks = templates["main"]["dag"]["tasks"]
    assert tasks
    assert all(task["template"] == "child-workflow" for task in tasks)
    resource = templates["child-workflow"]["resource"]
    assert resource["action"] == "create"
    assert resource["setOwnerReference"] is True
    assert resource["failureCondition"] == "status.phase in (Failed, Error)"
    child = load_yaml_text(resource["manifest"])
    # the child takes none of the parent's mutex (it would wait for its own parent), every workflow parameter, and
    # what the step pods rely on at workflow level
    assert "synchronization" not in child["spec"]
    assert document["spec"]["synchronization"]
    passed = {p["name"] for p in child["spec"]["arguments"]["parameters"]}
    assert passed == {p["name"] for p in document["spec"]["arguments"]["parameters"]}
    assert child["spec"]["volumes"] == document["spec"]["volumes"]
    assert child["spec"]["serviceAccountName"] == document["spec"]["serviceAccountName"]
    role = load_yaml(built / "shapes-executor.role.yaml")
    assert {"resources": ["workflows"], "verbs": ["create", "get", "watch"], "apiGroups": ["argoproj.io"]} in role[
        "rules"
    ]
    # every chunk WorkflowTemplate the children reference exists beside it, with the chunk DAG as a template
    for task in tasks:
        values = {p["name"]: p["value"] for p in task["arguments"]["parameters"]}
        chunk = load_yaml(built / f"{values['workflow-template']}.workflowtemplate.yaml")
        assert values["entrypoint"] in {t["name"] for t in chunk["spec"]["templates"]}


def load_yaml_text(text: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(text)
    return document


def _dagster(directory: Path, fail: str, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Dagster's own answer: every asset materialized in process, the failure not raised."""
    monkeypatch.setenv("SHAPES_DIR", str(directory))
    defs: dg.Definitions = importlib.import_module(MODULE).defs
    result = dg.materialize(
        list(defs.assets or []),  # type: ignore[arg-type]
        resources=defs.resources,
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert result.success == (fail == "")
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events() if e.asset_key}


@pytest.mark.parametrize("fail", ["", "chain_1", "tree_1", "tree_root"])
def test_replaying_the_child_workflows_matches_dagster(
    built: Path, tmp_path: Path, fail: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    replay_dir, direct_dir = tmp_path / "replay" / "shapes", tmp_path / "direct" / "shapes"
    for directory in (replay_dir, direct_dir):  # the asset to fail, read by the project beside SHAPES_DIR
        directory.parent.mkdir()
        (directory.parent / "fail").write_text(fail, encoding="utf-8")
    arguments = ["run-local", str(built / "shapes.workflowtemplate.yaml"), "--backoff-scale", "0"]
    result = compiler([*arguments, "--max-parallel", "2"], shapes_env(replay_dir))
    output = result.stdout[-3000:] + result.stderr[-2000:]
    assert result.returncode == (1 if fail else 0), output
    direct = _dagster(direct_dir, fail, monkeypatch)
    assert written_keys(replay_dir) == written_keys(direct_dir) == direct
    if fail == "chain_1":  # the failure fails its child; the next chunk's child is never created
        assert not {f"chain_{i}" for i in range(1, 6)} & direct
        assert "chain_0" in direct
