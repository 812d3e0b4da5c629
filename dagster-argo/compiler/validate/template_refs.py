"""Which `workflow.parameters` each WorkflowTemplate's templates read, through every template they run.

A template reached by `templateRef` runs inside the caller's Workflow: its `{{workflow.parameters.X}}` are the
caller's, and Argo fails the node at run time when the caller declares no `X`. So `validate` resolves, for each
template, the parameters it and everything it runs (its own WorkflowTemplate's templates by `template:`, others' by
`templateRef`) read, and checks them where a Workflow or WorkflowTemplate with arguments references it.
"""

import json
from collections.abc import Iterator, Mapping
from typing import Any

from compiler.argo import VARIABLE

UsedParameters = Mapping[str, Mapping[str, frozenset[str]]]  # WorkflowTemplate → template → parameter names
PREFIX = "workflow.parameters."


def workflow_parameters_used(documents: list[Any]) -> dict[str, dict[str, frozenset[str]]]:
    """WorkflowTemplate name → template name → the workflow parameters it reads, transitively."""
    direct: dict[tuple[str, str], set[str]] = {}
    edges: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for document in documents:
        if not isinstance(document, dict) or document.get("kind") != "WorkflowTemplate":
            continue
        owner = str((document.get("metadata") or {}).get("name"))
        for template in (document.get("spec") or {}).get("templates") or []:
            node = (owner, str(template.get("name")))
            direct[node] = {
                expression.removeprefix(PREFIX)
                for expression in VARIABLE.findall(json.dumps(template))
                if expression.startswith(PREFIX)
            }
            edges[node] = set(references(owner, template))
    resolved: dict[tuple[str, str], frozenset[str]] = {}
    for node in direct:
        seen: set[tuple[str, str]] = set()
        stack = [node]
        found: set[str] = set()
        while stack:
            current = stack.pop()
            if current in seen or current not in direct:
                continue
            seen.add(current)
            found |= direct[current]
            stack.extend(edges[current])
        resolved[node] = frozenset(found)
    result: dict[str, dict[str, frozenset[str]]] = {}
    for (owner, name), used in resolved.items():
        result.setdefault(owner, {})[name] = used
    return result


def references(owner: str, template: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(WorkflowTemplate, template) of every DAG task and step the template runs."""
    tasks = list(((template.get("dag") or {}).get("tasks")) or [])
    tasks += [step for group in template.get("steps") or [] for step in group or []]
    for task in tasks:
        ref = task.get("templateRef")
        if isinstance(ref, Mapping) and not ref.get("clusterScope"):
            yield str(ref.get("name")), str(ref.get("template"))
        elif task.get("template") is not None:
            yield owner, str(task["template"])
