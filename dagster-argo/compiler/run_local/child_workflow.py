"""A `resource` template that creates a Workflow, replayed by running that child Workflow's DAG in place.

Argo's resource executor creates the manifest and polls the object until `successCondition` or `failureCondition`
holds; for a child Workflow (compiler/builder/child_workflows.py) those read `status.phase`, so the resource node
Succeeds when the child Succeeded and Fails when it Failed or Errored. run-local supports exactly that form: the
child's entrypoint DAG, resolved from the WorkflowTemplate its `workflowTemplateRef` names (given with `--templates`),
is expanded as a nested DAG node in place of the resource node. Its failure fails that node, so tasks depending on the
resource task are omitted as Argo omits them when the child Workflow failed, and its DAG's own `failFast` and
`parallelism` hold inside it.

The child is a Workflow of its own: its `workflow.parameters.X` are its `spec.arguments` (Argo also binds them to
the entrypoint's inputs of the same name) and its `workflow.scheduledTime` is its `workflows.argoproj.io/scheduled-time`
annotation, so every such reference inside it is replaced by those values. Not replayed: the child's own name, uid
and creation time (`workflow.name`, `workflow.creationTimestamp` stay the parent's), and its own `spec`-level
settings (a mutex of its own, which the compiled children do not have, is refused).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from compiler.run_local.errors import RunLocalError

SUCCESS_CONDITION = "status.phase == Succeeded"
FAILURE_CONDITIONS = ("status.phase in (Failed, Error)", "status.phase in (Error, Failed)")
SCHEDULED_TIME_ANNOTATION = "workflows.argoproj.io/scheduled-time"
_INPUT = re.compile(r"\{\{\s*inputs\.parameters\.([A-Za-z0-9_-]+)\s*\}\}")
_GLOBAL = re.compile(r"\{\{\s*(workflow\.parameters\.[A-Za-z0-9_-]+|workflow\.scheduledTime)\s*\}\}")


@dataclass(frozen=True)
class Child:
    """The child Workflow: its entrypoint DAG template, the WorkflowTemplate it resolves names in, the entrypoint's
    input bindings and the child's own workflow variables (`workflow.parameters.X`, `workflow.scheduledTime`)."""

    workflow_template: str
    template: Mapping[str, Any]
    library: Mapping[str, Mapping[str, Any]]
    inputs: Mapping[str, str | None]
    variables: Mapping[str, str]


def is_child_workflow(template: Mapping[str, Any]) -> bool:
    return isinstance(template.get("resource"), dict)


def child_workflow(
    template: Mapping[str, Any],
    values: Mapping[str, str],
    library: Mapping[str, Mapping[str, Mapping[str, Any]]],
    task: str,
) -> Child:
    """The child a resource task creates, its manifest's `{{inputs.parameters.X}}` bound from the task's arguments
    (else the input's default); anything but a Workflow created and awaited by its phase is a RunLocalError."""
    resource = dict(template["resource"])
    where = f"task {task!r} (resource template {template.get('name')!r})"
    if resource.get("action") != "create" or not isinstance(resource.get("manifest"), str):
        raise RunLocalError(f"{where}: run-local replays only resource templates with action create and a manifest")
    if resource.get("successCondition") != SUCCESS_CONDITION or resource.get("failureCondition") not in (
        FAILURE_CONDITIONS
    ):
        raise RunLocalError(
            f"{where}: run-local replays a created Workflow awaited by successCondition {SUCCESS_CONDITION!r} and "
            f"failureCondition {FAILURE_CONDITIONS[0]!r} only"
        )
    inputs = {
        str(p.get("name")): values.get(str(p.get("name")), p.get("default"))
        for p in ((template.get("inputs") or {}).get("parameters") or [])
    }

    def bind(match: re.Match[str]) -> str:
        value = inputs.get(match.group(1))
        if value is None:
            raise RunLocalError(f"{where}: input {match.group(1)!r} has no value")
        return str(value)

    manifest = yaml.safe_load(_INPUT.sub(bind, resource["manifest"]))
    if not isinstance(manifest, dict) or manifest.get("kind") != "Workflow":
        raise RunLocalError(f"{where}: run-local replays resource templates that create a Workflow only")
    spec = manifest.get("spec") or {}
    if spec.get("synchronization"):
        raise RunLocalError(f"{where}: a child Workflow with synchronization of its own is not replayed by run-local")
    reference = str((spec.get("workflowTemplateRef") or {}).get("name") or "")
    if reference not in library:
        raise RunLocalError(
            f"{where}: the child Workflow's workflowTemplateRef names {reference!r}, which was not given; pass its "
            "file with --templates"
        )
    entrypoint = str(spec.get("entrypoint") or "")
    entry = library[reference].get(entrypoint)
    if entry is None or not isinstance(entry.get("dag"), dict):
        raise RunLocalError(f"{where}: entrypoint {entrypoint!r} is not a DAG template of {reference!r}")
    arguments = {
        str(p.get("name")): str(p.get("value", "")) for p in ((spec.get("arguments") or {}).get("parameters") or [])
    }
    variables = {f"workflow.parameters.{name}": value for name, value in arguments.items()}
    annotations = (manifest.get("metadata") or {}).get("annotations") or {}
    if SCHEDULED_TIME_ANNOTATION in annotations:
        variables["workflow.scheduledTime"] = str(annotations[SCHEDULED_TIME_ANNOTATION])
    entry_inputs = {
        f"inputs.parameters.{p.get('name')}": arguments.get(str(p.get("name")), p.get("default"))
        for p in ((entry.get("inputs") or {}).get("parameters") or [])
    }
    return Child(reference, entry, library[reference], entry_inputs, variables)


def rebind(text: str, variables: Mapping[str, str]) -> str:
    """The child's own workflow variables in `text`; a parameter the child was not given stays as written."""
    return _GLOBAL.sub(lambda m: variables.get(m.group(1), m.group(0)), text)
