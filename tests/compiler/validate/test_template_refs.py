"""`validate` follows templateRefs across the files given together: the WorkflowTemplate and its template exist, and
the workflow parameters a referenced template reads (through everything it runs) are declared by the caller, whose
Workflow Argo resolves them in. A library WorkflowTemplate (no entrypoint) is valid on its own."""

import copy
from pathlib import Path
from typing import Any

import yaml

from compiler.validate import template_names_by_workflow_template, validate_manifest, workflow_parameters_used
from tests.compiler.support import run_compiler

LIBRARY: dict[str, Any] = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "WorkflowTemplate",
    "metadata": {"name": "library"},
    "spec": {
        "templates": [
            {"name": "chunk", "dag": {"tasks": [{"name": "a", "template": "step"}]}},
            {
                "name": "step",
                "container": {"image": "busybox", "args": ["{{workflow.parameters.schedule}}"]},
            },
        ]
    },
}
CALLER: dict[str, Any] = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "WorkflowTemplate",
    "metadata": {"name": "caller"},
    "spec": {
        "entrypoint": "main",
        "arguments": {"parameters": [{"name": "schedule", "value": ""}]},
        "templates": [
            {
                "name": "main",
                "dag": {"tasks": [{"name": "part", "templateRef": {"name": "library", "template": "chunk"}}]},
            }
        ],
    },
}


def _problems(*documents: dict[str, Any]) -> dict[str, list[str]]:
    known = template_names_by_workflow_template(list(documents))
    used = workflow_parameters_used(list(documents))
    return {d["metadata"]["name"]: validate_manifest(d, known, used_parameters=used) for d in documents}


def test_a_library_and_its_caller_are_valid() -> None:
    assert _problems(LIBRARY, CALLER) == {"library": [], "caller": []}


def test_a_parameter_read_two_templates_down_must_be_declared_by_the_caller() -> None:
    caller = copy.deepcopy(CALLER)
    caller["spec"]["arguments"]["parameters"] = [{"name": "partition", "value": ""}]
    [problem] = _problems(LIBRARY, caller)["caller"]
    assert "tasks(part).templateRef" in problem
    assert "library/chunk reads {{workflow.parameters.schedule}}" in problem


def test_a_missing_referenced_template_is_named() -> None:
    caller = copy.deepcopy(CALLER)
    caller["spec"]["templates"][0]["dag"]["tasks"][0]["templateRef"]["template"] = "nope"
    [problem] = _problems(LIBRARY, caller)["caller"]
    assert "WorkflowTemplate 'library' has no template 'nope'" in problem


def test_the_cli_checks_references_between_files(tmp_path: Path) -> None:
    caller = copy.deepcopy(CALLER)
    caller["spec"]["arguments"]["parameters"] = []
    for name, document in (("library.yaml", LIBRARY), ("caller.yaml", caller)):
        (tmp_path / name).write_text(yaml.safe_dump(document), encoding="utf-8")

    result = run_compiler("validate", str(tmp_path / "library.yaml"), str(tmp_path / "caller.yaml"), cwd=tmp_path)

    assert result.returncode == 1, result.stderr
    assert "{{workflow.parameters.schedule}}" in result.stderr
    alone = run_compiler("validate", str(tmp_path / "library.yaml"), cwd=tmp_path)
    assert alone.returncode == 0, alone.stderr
