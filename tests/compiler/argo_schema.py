"""Argo 4.1's published JSON schema, made strict: an object that lists `properties` accepts no other keys.

The schema lives outside the repository (see `tests/shared_files.py`). Without it `schema_errors` has nothing to check
against: it returns no errors, so the calling test's other assertions still run, and records the check as skipped
(`tests/cross_checks.py`); the run then lists each such test with the reason in its terminal summary and counts them
in the final line. `test_validate.py::test_argo_schema_cross_check`, which checks nothing else, is skipped outright.
"""

import copy
import json
from functools import cache
from typing import Any

import jsonschema

from tests.cross_checks import skip_cross_check
from tests.shared_files import find_shared, skip_reason

SCHEMA = "argo/schema.json"
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
def _schema() -> dict[str, Any] | None:
    path = find_shared(SCHEMA)
    return None if path is None else _strict(json.loads(path.read_text(encoding="utf-8")))


def schema_available() -> bool:
    return _schema() is not None


def schema_errors(document: dict[str, Any]) -> list[str]:
    """Every schema violation of `document`, using the definition its `kind` names.

    Without the schema: none, and the check is recorded as skipped against the running test, so the run reports it.
    """
    strict = _schema()
    if strict is None:
        skip_cross_check(f"Argo schema {skip_reason(SCHEMA)}")
        return []
    schema = copy.copy(strict)
    schema.pop("oneOf", None)
    schema["$ref"] = f"#/definitions/{DEFINITION_BY_KIND[document['kind']]}"
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(document)]
