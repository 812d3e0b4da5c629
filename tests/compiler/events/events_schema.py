"""Argo Events v1.9.11's published JSON schema (`argo-events/schema.json` in the shared folder), made strict like
`tests/compiler/argo_schema.py`: an object that lists `properties` accepts no other keys, so a misplaced field (e.g.
`atLeastOnce` under `template`, which the controller silently ignores) fails. Absent file: no errors, and the check
is recorded as skipped (`tests/cross_checks.py`)."""

import json
from functools import cache
from typing import Any

import jsonschema

from tests.compiler.argo_schema import _strict
from tests.cross_checks import skip_cross_check
from tests.shared_files import find_shared, skip_reason

SCHEMA = "argo-events/schema.json"
DEFINITION_BY_KIND = {
    "EventSource": "io.argoproj.events.v1alpha1.EventSource",
    "Sensor": "io.argoproj.events.v1alpha1.Sensor",
    "EventBus": "io.argoproj.events.v1alpha1.EventBus",
}


@cache
def _schema() -> dict[str, Any] | None:
    path = find_shared(SCHEMA)
    return None if path is None else _strict(json.loads(path.read_text(encoding="utf-8")))


def events_schema_available() -> bool:
    return _schema() is not None


def events_schema_errors(document: dict[str, Any]) -> list[str]:
    schema = _schema()
    if schema is None:
        skip_cross_check(skip_reason(SCHEMA))
        return []
    definition = {"$ref": f"#/definitions/{DEFINITION_BY_KIND[document['kind']]}", "definitions": schema["definitions"]}
    validator = jsonschema.Draft7Validator(definition)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]
