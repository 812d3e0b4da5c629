"""Argo 4.1's published JSON schema, made strict: an object that lists `properties` accepts no other keys."""

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_PATH = Path(__file__).resolve().parents[2] / ".." / "shared" / "argo" / "schema.json"
DEFINITION_BY_KIND = {
    "WorkflowTemplate": "io.argoproj.workflow.v1alpha1.WorkflowTemplate",
    "CronWorkflow": "io.argoproj.workflow.v1alpha1.CronWorkflow",
    "Workflow": "io.argoproj.workflow.v1alpha1.Workflow",
}


def _strict(node: Any) -> Any:
    if isinstance(node, dict):
        node = {key: _strict(value) for key, value in node.items()}
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
    elif isinstance(node, list):
        node = [_strict(item) for item in node]
    return node


@cache
def _schema() -> dict[str, Any]:
    return _strict(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def schema_errors(document: dict[str, Any]) -> list[str]:
    """Every schema violation of `document`, using the definition its `kind` names."""
    schema = copy.copy(_schema())
    schema.pop("oneOf", None)
    schema["$ref"] = f"#/definitions/{DEFINITION_BY_KIND[document['kind']]}"
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(document)]
