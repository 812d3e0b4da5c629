"""A `resource` task that creates a child Workflow from a WorkflowTemplate (compiler/builder/child_workflows.py):
the WorkflowTemplate and entrypoint its manifest names, once the task's arguments are bound, must exist when that
WorkflowTemplate is validated alongside. Argo itself only finds out when the child is created, mid-run, and fails
the child; `validate` says so before anything is applied."""

import re
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INPUT = re.compile(r"\{\{\s*inputs\.parameters\.([A-Za-z0-9_-]+)\s*\}\}")


def child_workflow_problems(
    dag: Mapping[str, Any], at: str, templates: Mapping[Any, Mapping[str, Any]], known: Mapping[str, set[str]]
) -> Iterator[str]:
    for task in dag.get("tasks") or []:
        template = templates.get(task.get("template")) or {}
        resource = template.get("resource")
        if not isinstance(resource, Mapping) or resource.get("action") != "create":
            continue
        where = f"{at}.tasks({task.get('name')})"
        values = {
            str(p.get("name")): str(p.get("default"))
            for p in (template.get("inputs") or {}).get("parameters") or []
            if "default" in p
        }
        values |= {
            str(p.get("name")): str(p.get("value")) for p in (task.get("arguments") or {}).get("parameters") or []
        }
        text = _bound(str(resource.get("manifest") or ""), values)
        try:
            manifest = _load(text)
        except yaml.YAMLError as error:
            yield f"{where}: the manifest of resource template {template.get('name')!r} is not YAML: {error}"
            continue
        if not isinstance(manifest, Mapping) or manifest.get("kind") != "Workflow":
            continue
        spec = manifest.get("spec") or {}
        owner = str((spec.get("workflowTemplateRef") or {}).get("name") or "")
        entrypoint = str(spec.get("entrypoint") or "")
        if owner in known and entrypoint and entrypoint not in known[owner]:
            yield f"{where}: its child Workflow's entrypoint {entrypoint!r} is not a template of {owner!r}"


def _bound(text: str, values: Mapping[str, str]) -> str:
    return _INPUT.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _load(text: str) -> Any:
    """yaml.safe_load's answer, through libyaml's parser when it parses (a child manifest per chunk task of a split
    DAG: 30-40 at 10,000 assets); an error is safe_load's own, so its message is the same either way."""
    try:
        return yaml.load(text, Loader=_FAST_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        return yaml.safe_load(text)
