"""Validation of Argo manifests without a cluster: structure (hera's models) plus `argo lint` rules."""

from collections.abc import Callable, Mapping
from typing import Any

from compiler.validate.lint import lint_manifest
from compiler.validate.template_refs import UsedParameters, workflow_parameters_used

StructureCheck = Callable[[Any], list[str]]


def validate_manifest(
    document: Any,
    known_templates: Mapping[str, set[str]] | None = None,
    structure: StructureCheck | None = None,
    used_parameters: UsedParameters | None = None,
) -> list[str]:
    """Every problem found; an empty list means valid. Lint runs only on structurally valid input.

    `structure` defaults to the in-process hera check; `build` passes one that runs in a warmed-up child process.
    """
    if structure is None:
        from compiler.validate.structure import check_structure  # hera's models cost ~0.6 s to import

        structure = check_structure
    problems = structure(document)
    return problems or lint_manifest(document, known_templates, used_parameters)


def template_names_by_workflow_template(documents: list[Any]) -> dict[str, set[str]]:
    """Lets a CronWorkflow's entrypoint be checked against a WorkflowTemplate validated alongside it."""
    return {
        str(doc["metadata"]["name"]): {str(t.get("name")) for t in doc.get("spec", {}).get("templates") or []}
        for doc in documents
        if isinstance(doc, dict) and doc.get("kind") == "WorkflowTemplate" and (doc.get("metadata") or {}).get("name")
    }


__all__ = [
    "StructureCheck",
    "UsedParameters",
    "template_names_by_workflow_template",
    "validate_manifest",
    "workflow_parameters_used",
]
