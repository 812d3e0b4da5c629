"""Task names Argo's `depends` (expr) cannot refer to: renamed by build, refused by validate and run-local."""

import copy
import re
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml

from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import compile_project
from compiler.validate import validate_manifest
from compiler.validate.expr import RESERVED_WORDS, argo_identifier
from tests.compiler.support import compile_defs, dag, demo_settings, run_compiler, workflow_template, write_project

WORDS = ("matches", "contains", "true")


def _keyword_defs() -> dg.Definitions:
    """Assets named after expr words, each with one downstream asset."""
    assets = []
    for word in WORDS:

        @dg.asset(name=word)
        def upstream() -> None: ...

        @dg.asset(name=f"after_{word}", deps=[upstream])
        def downstream() -> None: ...

        assets += [upstream, downstream]
    return dg.Definitions(assets=assets)


def _identifiers(depends: str) -> list[str]:
    """Identifier-like words of a depends expression as Argo hands it to expr (after `-` → `_`)."""
    return re.findall(r"[A-Za-z_$][A-Za-z0-9_$]*", argo_identifier(depends))


def test_keyword_assets_compile_to_renamed_task_names() -> None:
    tasks = dag(workflow_template(compile_defs(_keyword_defs())))
    for word in WORDS:
        assert word not in tasks
        assert f"asset-{word}" in tasks
        assert tasks[f"after-{word}"]["depends"] == f"asset-{word}"
    for task in tasks.values():
        assert not set(_identifiers(task.get("depends", ""))) & RESERVED_WORDS


def test_renamings_are_reported() -> None:
    result = compile_project(project_from_definitions("project", _keyword_defs()), demo_settings())
    reported = {(r.source, r.name) for r in result.renamings}
    assert {(word, f"asset-{word}") for word in WORDS} <= reported
    assert all("depends" in r.reason for r in result.renamings if r.source in WORDS)


def _renamed_back(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _renamed_back(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_renamed_back(item) for item in value]
    if isinstance(value, str):
        for word in WORDS:
            value = re.sub(rf"\basset-{word}\b", word, value)
    return value


def _hand_written(tmp_path: Path, use_dependencies: bool = False) -> Path:
    """The compiled WorkflowTemplate with the tasks renamed back to the bare words, as a user might write it."""
    edited: dict[str, Any] = _renamed_back(copy.deepcopy(workflow_template(compile_defs(_keyword_defs()))))
    if use_dependencies:
        for template in edited["spec"]["templates"]:
            for task in (template.get("dag") or {}).get("tasks", []):
                if "depends" in task:
                    task["dependencies"] = [task.pop("depends")]
    path = tmp_path / "hand.workflowtemplate.yaml"
    path.write_text(yaml.safe_dump(edited, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("use_dependencies", [False, True])
def test_validate_rejects_depends_on_expr_words(tmp_path: Path, use_dependencies: bool) -> None:
    path = _hand_written(tmp_path, use_dependencies)
    problems = "\n".join(validate_manifest(yaml.safe_load(path.read_text(encoding="utf-8"))))
    for word in WORDS:
        assert f"depends on {word!r}" in problems
    assert "Operator('matches')" in problems
    result = run_compiler("validate", str(path), cwd=tmp_path)
    assert result.returncode == 1
    assert "matches" in result.stderr


@pytest.mark.parametrize("use_dependencies", [False, True])
def test_run_local_rejects_what_argo_rejects(tmp_path: Path, use_dependencies: bool) -> None:
    path = _hand_written(tmp_path, use_dependencies)
    result = run_compiler("run-local", str(path), cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Argo cannot evaluate it" in result.stderr
    assert "task(s)" not in result.stdout  # nothing started


def test_case_and_dashes_matter_as_in_argo() -> None:
    """`startsWith` is an operator, `startswith` and `starts-with` (read `starts_with`) are plain identifiers."""
    template = workflow_template(compile_defs(_keyword_defs()))

    def problems_with(upstream: str) -> str:
        document = copy.deepcopy(template)
        [main] = [t for t in document["spec"]["templates"] if t["name"] == "main"]
        tasks = main["dag"]["tasks"]
        old = tasks[0]["name"]
        tasks[0]["name"] = upstream
        for task in tasks:
            if task.get("depends") == old:
                task["depends"] = upstream
        return "\n".join(validate_manifest(document))

    assert "startsWith" in problems_with("startsWith")
    assert problems_with("startswith") == ""
    assert problems_with("starts-with") == ""
    assert problems_with("len") == ""  # builtins are calls only before '(': a task named len works


def test_build_reports_the_renaming_on_stderr(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        "keywords",
        """
        import dagster as dg

        @dg.asset(name="matches")
        def upstream() -> None: ...

        @dg.asset(deps=[upstream])
        def downstream() -> None: ...

        defs = dg.Definitions(assets=[upstream, downstream])
        """,
    )
    result = run_compiler("build", "--module", "keywords", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "note: matches → asset-matches" in result.stderr
    validated = run_compiler("validate", *map(str, sorted((tmp_path / "argo_out").glob("*.yaml"))), cwd=tmp_path)
    assert validated.returncode == 0, validated.stderr
