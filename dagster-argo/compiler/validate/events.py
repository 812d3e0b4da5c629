"""Argo Events EventSources and Sensors checked without a cluster: what the controller enforces (or silently gets
wrong) that their JSON schema cannot say. The CRDs accept any `spec` (x-kubernetes-preserve-unknown-fields), so
these checks and the optional schema cross-check in the tests are the only guard (Argo Events 1.9.11's CRDs).

Rules: dependency names usable in govaluate `conditions` (letters, digits, `_`: `-` reads as minus) and unique;
each dependency names an EventSource and event validated alongside (in `build` always); `conditions` mention only
dependencies; trigger names unique; every trigger parameter's `dependencyName` exists and it has one source; string
data filters are anchored regexes (`^…$`: Argo matches them unanchored) that compile; a triggered Workflow's
`workflowTemplateRef` and `entrypoint` exist among the WorkflowTemplates validated alongside; `dest` indexes into
the resource's parameters exist; webhook ports numeric, endpoints absolute; minio endpoint without scheme; resource
sources name their group/version/resource, namespace and event types, with label operations Kubernetes knows.
"""

import re
from collections.abc import Mapping
from typing import Any

from compiler.sensors.keys import KeyPatternError, check_pattern

EVENTS_KINDS = ("EventSource", "Sensor", "EventBus")
_GOVALUATE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CONDITION_TOKEN = re.compile(r"\s*(&&|\|\||!|\(|\)|[A-Za-z_][A-Za-z0-9_]*)")
_PARAMETER_DEST = re.compile(r"^spec\.arguments\.parameters\.(\d+)\.value$")
_SOURCES = ("dataKey", "dataTemplate", "contextKey", "contextTemplate", "value")
COMPARATORS = ("", "=", "!=", "<", "<=", ">", ">=")


def is_events_kind(document: Any) -> bool:
    return isinstance(document, dict) and document.get("kind") in EVENTS_KINDS


def events_problems(
    documents: Mapping[str, Any], known_templates: Mapping[str, set[str]], *, strict: bool = True
) -> list[str]:
    """`documents`: label → EventSource/Sensor/EventBus; `strict`: an EventSource or WorkflowTemplate a Sensor names
    must be among the documents (build); `validate` of a lone Sensor checks what it can."""
    sources = {
        str(_name(doc)): {
            str(event) for kind in (doc.get("spec") or {}).values() if isinstance(kind, dict) for event in kind
        }
        for doc in documents.values()
        if doc.get("kind") == "EventSource"
    }
    problems: list[str] = []
    for label, document in documents.items():
        if document.get("kind") == "EventSource":
            found = _event_source(document.get("spec") or {})
        elif document.get("kind") == "Sensor":
            found = _sensor(document.get("spec") or {}, sources, known_templates, strict)
        else:
            found = []
        problems.extend(f"{label}: {problem}" for problem in found)
    return problems


def _name(document: Mapping[str, Any]) -> Any:
    return (document.get("metadata") or {}).get("name")


def _event_source(spec: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    for kind, events in spec.items():
        if kind in ("template", "service", "replicas", "eventBusName"):
            continue
        if not isinstance(events, dict) or not events:
            problems.append(f"spec.{kind}: expected a map of event name → settings")
            continue
        for event, settings in events.items():
            where = f"spec.{kind}.{event}"
            settings = settings if isinstance(settings, dict) else {}
            if kind == "minio":
                problems += _minio(where, settings)
            elif kind == "webhook":
                problems += _webhook(where, settings)
            elif kind == "resource":
                problems += _resource(where, settings)
            elif kind == "sqs":
                problems += [f"{where}: {k} is required" for k in ("region", "queue") if not settings.get(k)]
                if not isinstance(settings.get("waitTimeSeconds"), int):
                    problems.append(f"{where}: waitTimeSeconds must be an integer")
    return problems


def _minio(where: str, settings: Mapping[str, Any]) -> list[str]:
    problems = [f"{where}: {k} is required" for k in ("endpoint", "bucket") if not settings.get(k)]
    if "://" in str(settings.get("endpoint", "")):
        problems.append(f"{where}: endpoint is host:port without a scheme (insecure: true for http)")
    if not (settings.get("bucket") or {}).get("name"):
        problems.append(f"{where}: bucket.name is required")
    for key in ("accessKey", "secretKey"):
        ref = settings.get(key) or {}
        if not (isinstance(ref, dict) and ref.get("name") and ref.get("key")):
            problems.append(f"{where}: {key} must be a secretKeyRef {{name, key}}")
    events = settings.get("events")
    if not isinstance(events, list) or not events or not all(str(e).startswith("s3:") for e in events):
        problems.append(f"{where}: events must list MinIO event types (s3:ObjectCreated:*, ...)")
    return problems


_RESOURCE_EVENT_TYPES = ("ADD", "UPDATE", "DELETE")
_LABEL_OPERATIONS = ("", "=", "==", "!=", "exists", "!", "in", "notin", "gt", "lt")


def _resource(where: str, settings: Mapping[str, Any]) -> list[str]:
    """The fields the schema requires (checked here too: the schema is an optional cross-check), event types the
    informer knows, and label selector operations Kubernetes knows (a typo reaches the API server as a selector it
    rejects, and the EventSource sees nothing)."""
    problems = [
        f"{where}: {key} is required" for key in ("namespace", "group", "version", "resource") if key not in settings
    ]
    types = settings.get("eventTypes")
    if not isinstance(types, list) or not types or any(t not in _RESOURCE_EVENT_TYPES for t in types):
        problems.append(f"{where}: eventTypes must list {', '.join(_RESOURCE_EVENT_TYPES)}")
    for index, selector in enumerate((settings.get("filter") or {}).get("labels") or []):
        if not selector.get("key") or selector.get("operation", "") not in _LABEL_OPERATIONS:
            problems.append(
                f"{where}.filter.labels[{index}]: needs a key and one of {', '.join(_LABEL_OPERATIONS[1:])}"
            )
    return problems


def _webhook(where: str, settings: Mapping[str, Any]) -> list[str]:
    problems = []
    if not str(settings.get("port", "")).isdigit():
        problems.append(f"{where}: port must be a number (as a string), got {settings.get('port')!r}")
    if not str(settings.get("endpoint", "")).startswith("/"):
        problems.append(f"{where}: endpoint must start with /")
    return problems


def _sensor(
    spec: Mapping[str, Any], sources: Mapping[str, set[str]], templates: Mapping[str, set[str]], strict: bool
) -> list[str]:
    problems: list[str] = []
    dependencies = spec.get("dependencies") or []
    names = [str(d.get("name")) for d in dependencies if isinstance(d, dict)]
    if not names:
        problems.append("spec.dependencies: at least one is required")
    for index, dependency in enumerate(d for d in dependencies if isinstance(d, dict)):
        where = f"spec.dependencies[{index}]"
        name = str(dependency.get("name"))
        if not _GOVALUATE_NAME.match(name):
            problems.append(f"{where}: name {name!r} must be letters, digits and _ (conditions are govaluate)")
        if names.count(name) > 1:
            problems.append(f"{where}: name {name!r} is not unique")
        source, event = str(dependency.get("eventSourceName")), str(dependency.get("eventName"))
        if source in sources and event not in sources[source]:
            problems.append(f"{where}: EventSource {source!r} has no event {event!r}")
        elif source not in sources and strict:
            problems.append(f"{where}: EventSource {source!r} is not among the manifests")
        problems += _filters(where, dependency.get("filters") or {})
    triggers = [t for t in spec.get("triggers") or [] if isinstance(t, dict)]
    if not triggers:
        problems.append("spec.triggers: at least one is required")
    trigger_names = [str((t.get("template") or {}).get("name")) for t in triggers]
    for index, trigger in enumerate(triggers):
        where = f"spec.triggers[{index}]"
        template = trigger.get("template") or {}
        if trigger_names.count(trigger_names[index]) > 1 or not template.get("name"):
            problems.append(f"{where}: template.name must be set and unique")
        problems += _conditions(where, str(template.get("conditions") or ""), set(names))
        for kind in ("k8s", "argoWorkflow"):
            if isinstance(template.get(kind), dict):
                problems += _resource_trigger(f"{where}.template.{kind}", template[kind], set(names), templates, strict)
    return problems


def _filters(where: str, filters: Mapping[str, Any]) -> list[str]:
    problems = []
    if filters.get("dataLogicalOperator", "") not in ("", "and", "or"):
        problems.append(f"{where}: dataLogicalOperator must be and/or")
    for index, data in enumerate(filters.get("data") or []):
        at = f"{where}.filters.data[{index}]"
        if not data.get("path"):
            problems.append(f"{at}: path is required")
        if data.get("type") not in ("string", "number", "bool"):
            problems.append(f"{at}: type must be string, number or bool")
        if data.get("comparator", "") not in COMPARATORS:
            problems.append(f"{at}: comparator {data.get('comparator')!r} is not one of {COMPARATORS[1:]}")
        for value in data.get("value") or [] if data.get("type") == "string" else []:
            text = str(value)
            if not (text.startswith("^") and text.endswith("$")):
                problems.append(f"{at}: {text!r} is not anchored (^...$): Argo matches string filters unanchored")
            try:
                check_pattern(text)
            except KeyPatternError as error:
                problems.append(f"{at}: {error}")
    return problems


def _conditions(where: str, conditions: str, names: set[str]) -> list[str]:
    position, problems = 0, []
    while position < len(conditions.rstrip()):
        match = _CONDITION_TOKEN.match(conditions, position)
        if match is None:
            return [f"{where}: conditions {conditions!r} has {conditions[position:]!r}, not a dependency or &&, ||"]
        token = match.group(1)
        if _GOVALUATE_NAME.match(token) and token not in names:
            problems.append(f"{where}: conditions name {token!r}, which is not a dependency")
        position = match.end()
    return problems


def _resource_trigger(
    where: str, trigger: Mapping[str, Any], names: set[str], templates: Mapping[str, set[str]], strict: bool
) -> list[str]:
    problems: list[str] = []
    resource = (trigger.get("source") or {}).get("resource") or {}
    spec = resource.get("spec") or {}
    reference = (spec.get("workflowTemplateRef") or {}).get("name")
    if resource.get("kind") == "Workflow" and reference:
        if reference in templates and spec.get("entrypoint") and spec["entrypoint"] not in templates[reference]:
            problems.append(f"{where}: WorkflowTemplate {reference!r} has no template {spec['entrypoint']!r}")
        elif reference not in templates and strict:
            problems.append(f"{where}: WorkflowTemplate {reference!r} is not among the manifests")
    parameters = (spec.get("arguments") or {}).get("parameters") or []
    for index, parameter in enumerate(trigger.get("parameters") or []):
        at = f"{where}.parameters[{index}]"
        source = parameter.get("src") or {}
        if source.get("dependencyName") not in names:
            problems.append(f"{at}: dependencyName {source.get('dependencyName')!r} is not a dependency")
        if sum(1 for key in _SOURCES if key in source) < 1:
            problems.append(f"{at}: src needs one of {', '.join(_SOURCES)}")
        dest = str(parameter.get("dest") or "")
        match = _PARAMETER_DEST.match(dest)
        if not dest or (match and int(match.group(1)) >= len(parameters)):
            problems.append(f"{at}: dest {dest!r} is not a parameter of the resource")
    return problems
