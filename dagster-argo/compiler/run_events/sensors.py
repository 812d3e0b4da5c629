"""The compiled EventSources and Sensors, read from YAML and evaluated as Argo Events does, for what we emit.

Faithful to argo-events v1.9.11 for: the minio source's event-type and prefix/suffix filter; a dependency's `data`
filters (gjson path must exist; string values are Go regexps matched unanchored, values OR-ed, `=`/`!=`;
`dataLogicalOperator` and/or: pkg/sensors/dependencies/filter.go); a `k8s` create (or `argoWorkflow` submit) trigger
of a Workflow with `parameters` from `dataKey` (gjson), `value`, or the one `dataTemplate` form the compiler writes
(a name from sha256 of bucket/key@ETag: pkg/sensors/triggers/params.go), the `regexReplaceAll` form naming a
fan-out item (go_regexp.py) or the ended-Workflow forms of run status sensors (workflow_source.py), written at
`dest` (sjson); the `resource` source on Workflows (workflow_source.py). Anything else
(exprs, scripts, transforms, dependencies on several EventSources, conditionsReset, other sources or triggers, gjson
modifiers) is refused by name: an approximation here would replay something the cluster would not run.
"""

import copy
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from compiler.parse import ManifestParseError, parse_documents
from compiler.run_events.go_regexp import STATIC_KEY_TEMPLATE, evaluate_static_key_template


class RunEventsError(Exception):
    """A manifest run-events cannot evaluate faithfully, or a usage error: exit 2."""


_PLAIN_PATH = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")
_NAME_TEMPLATE = re.compile(
    r"^(?P<prefix>[a-z0-9-]*)\{\{ \$r := index \.Input\.(?P<records>[A-Za-z0-9_.]+) 0 \}\}"
    r'\{\{ printf "%s/%s@%s" \$r\.s3\.bucket\.name \$r\.s3\.object\.key \$r\.s3\.object\.eTag \| sha256sum '
    r"\| trunc (?P<length>\d+) \}\}$"
)
_SENSOR_KEYS = {"template", "dependencies", "triggers"}
_DEPENDENCY_KEYS = {"name", "eventSourceName", "eventName", "filters"}
_FILTER_KEYS = {"data", "dataLogicalOperator"}
_OPERATIONS = ("overwrite", "append", "prepend")


@dataclass(frozen=True)
class Source:
    """One event of an EventSource: `kind` minio or sqs, with its settings as written."""

    name: str
    event: str
    kind: str
    settings: Mapping[str, Any]

    def accepts(self, record: Mapping[str, Any]) -> bool:
        """The minio source's own filter (bucket, event types with `*`, prefix/suffix on the key as stored); the
        sqs source takes whatever S3 sent to the queue."""
        if self.kind != "minio":
            return True
        s3 = record.get("s3") or {}
        if (s3.get("bucket") or {}).get("name") != (self.settings.get("bucket") or {}).get("name"):
            return False
        if not any(fnmatchcase(str(record.get("eventName")), str(e)) for e in self.settings.get("events") or []):
            return False
        key, wanted = str((s3.get("object") or {}).get("key")), self.settings.get("filter") or {}
        return key.startswith(str(wanted.get("prefix", ""))) and key.endswith(str(wanted.get("suffix", "")))


@dataclass(frozen=True)
class CompiledSensor:
    name: str
    source: Source
    dependency: Mapping[str, Any]  # the first one (a @multi_asset_sensor's Sensor has one per asset: `dependencies`)
    trigger: Mapping[str, Any]  # template.k8s or template.argoWorkflow
    dependencies: tuple[Mapping[str, Any], ...] = ()
    conditions: str = ""  # the trigger's conditions over the dependency names (run_events/conditions.py)

    @property
    def all_dependencies(self) -> tuple[Mapping[str, Any], ...]:
        return self.dependencies or (self.dependency,)

    def passes(self, data: Mapping[str, Any]) -> bool:
        return data_filters_pass(self.dependency.get("filters") or {}, data)

    def matching(self, data: Mapping[str, Any]) -> list[str]:
        """The dependencies whose filters this event passes (each keeps its latest event until the trigger fires)."""
        return [str(d["name"]) for d in self.all_dependencies if data_filters_pass(d.get("filters") or {}, data)]

    def workflow(self, data: Mapping[str, Any], held: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
        """The Workflow the trigger creates, parameters applied in order, each from its dependency's event (`held`,
        or this one event for a one-dependency Sensor); `append`/`prepend` join onto the value at `dest`."""
        events = held if held is not None else {str(self.dependency["name"]): data}
        resource = copy.deepcopy(dict((self.trigger.get("source") or {}).get("resource") or {}))
        for parameter in self.trigger.get("parameters") or []:
            src = parameter.get("src") or {}
            event = events.get(str(src.get("dependencyName")), data)
            value = resolve_source(src, event)
            operation = parameter.get("operation") or "overwrite"
            if operation != "overwrite":
                exists, current = get_path(resource, str(parameter["dest"]))
                current_text = _as_string(current) if exists else ""
                value = current_text + value if operation == "append" else value + current_text
            set_path(resource, str(parameter["dest"]), value)
        return resource


def get_path(data: Any, path: str) -> tuple[bool, Any]:
    """gjson for plain paths (`a.0.b`): (exists, value). Wildcards, queries and modifiers are refused."""
    if not _PLAIN_PATH.match(path):
        raise RunEventsError(f"path {path!r} uses gjson syntax run-events does not evaluate (only a.0.b paths)")
    value = data
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return False, None
    return True, value


def set_path(document: dict[str, Any], path: str, value: str) -> None:
    """sjson for plain paths into existing objects and list items (what the compiler's `dest`s are)."""
    if not _PLAIN_PATH.match(path):
        raise RunEventsError(f"dest {path!r} uses sjson syntax run-events does not evaluate (only a.0.b paths)")
    *parents, last = path.split(".")
    target: Any = document
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value


def _as_string(value: Any) -> str:
    """gjson's `Result.String()` for the JSON kinds an S3 record holds."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def data_filters_pass(filters: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    """pkg/sensors/dependencies/filter.go `filterData` for string filters; a missing path fails (and-operator)."""
    operator = filters.get("dataLogicalOperator") or "and"
    results = []
    for data_filter in filters.get("data") or []:
        if data_filter.get("type") != "string" or data_filter.get("template"):
            raise RunEventsError("only string data filters without a template are evaluated by run-events")
        exists, value = get_path(data, str(data_filter.get("path")))
        comparator = data_filter.get("comparator") or "="
        if comparator not in ("=", "!="):
            raise RunEventsError(f"string data filters compare with = or !=, not {comparator!r}")
        matches = [re.search(str(v), _as_string(value)) is not None for v in data_filter.get("value") or []]
        passed = exists and any(m if comparator == "=" else not m for m in matches)
        results.append(passed)
    if not results:
        return True
    return any(results) if operator == "or" else all(results)


def resolve_source(src: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    """A trigger parameter's value: dataTemplate (the compiler's naming template), else dataKey, else `value`."""
    if "contextKey" in src or "contextTemplate" in src or src.get("useRawData"):
        raise RunEventsError("trigger parameters from the event context or raw data are not evaluated by run-events")
    template = src.get("dataTemplate")
    static_key = STATIC_KEY_TEMPLATE.match(str(template or ""))
    if static_key is not None:  # a fanned-out target's item (compiler/builder/object_fan_out.py)
        found = evaluate_static_key_template(static_key, data)
        if found is not None:
            return found
    elif template and _resolve_workflow_template(str(template), data) is not None:
        return str(_resolve_workflow_template(str(template), data))
    elif template:
        match = _NAME_TEMPLATE.match(str(template))
        if match is None:
            raise RunEventsError(f"dataTemplate {template!r} is not the form the compiler writes; cannot evaluate it")
        exists, records = get_path(data, match["records"])
        if exists and isinstance(records, list) and records:
            s3 = records[0].get("s3") or {}
            text = f"{s3['bucket']['name']}/{s3['object']['key']}@{s3['object']['eTag']}"
            return match["prefix"] + hashlib.sha256(text.encode("utf-8")).hexdigest()[: int(match["length"])]
    if src.get("dataKey"):
        exists, value = get_path(data, str(src["dataKey"]))
        if exists:
            return _as_string(value)
    if "value" in src:
        return str(src["value"])
    raise RunEventsError(f"trigger parameter of {src.get('dependencyName')!r} resolves to nothing for this event")


def _resolve_workflow_template(template: str, data: Mapping[str, Any]) -> str | None:
    """The templates of run-requesting run status sensors (run_events/workflow_source.py imports this module)."""
    from compiler.run_events.workflow_source import resolve_template

    return resolve_template(template, data)


def load_sensors(directory: Path) -> list[CompiledSensor]:
    """Every Sensor under `directory` with the EventSource it depends on; refusals name the file and field."""
    sources: dict[tuple[str, str], Source] = {}
    sensors: list[tuple[Path, Mapping[str, Any]]] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            documents = parse_documents(path.read_text(encoding="utf-8"), str(path))
        except (OSError, ManifestParseError) as error:
            raise RunEventsError(f"cannot read {path}: {error}") from None
        for document in documents:
            if not isinstance(document, dict):
                continue
            if document.get("kind") == "EventSource":
                name = str(document["metadata"]["name"])
                for kind, events in (document.get("spec") or {}).items():
                    if kind in ("minio", "sqs"):
                        sources.update({(name, str(e)): Source(name, str(e), kind, s) for e, s in events.items()})
                    elif kind == "resource":  # Workflows ending (run_events/workflow_source.py)
                        from compiler.run_events.workflow_source import check_source

                        for event, settings in events.items():
                            check_source(f"{path}: EventSource {name}: {event}", settings)
                            sources[(name, str(event))] = Source(name, str(event), kind, settings)
                    elif isinstance(events, dict) and kind not in ("template", "service"):
                        raise RunEventsError(f"{path}: EventSource {name}: {kind} sources are not replayed")
            elif document.get("kind") == "Sensor":
                sensors.append((path, document))
    return [_sensor(path, document, sources) for path, document in sensors]


def _sensor(path: Path, document: Mapping[str, Any], sources: Mapping[tuple[str, str], Source]) -> CompiledSensor:
    name = str(document["metadata"]["name"])
    where = f"{path}: Sensor {name}"
    spec = document.get("spec") or {}
    dependencies, triggers = spec.get("dependencies") or [], spec.get("triggers") or []
    if set(spec) - _SENSOR_KEYS or not dependencies or len(triggers) != 1:
        raise RunEventsError(f"{where}: only dependencies and one trigger (and template) are replayed")
    dependency, trigger = dependencies[0], triggers[0]
    found = set()
    for each in dependencies:
        if set(each) - _DEPENDENCY_KEYS or set(each.get("filters") or {}) - _FILTER_KEYS:
            raise RunEventsError(f"{where}: dependency fields other than data filters are not replayed")
        found.add((str(each.get("eventSourceName")), str(each.get("eventName"))))
    if len(found) != 1:
        raise RunEventsError(f"{where}: dependencies on several EventSources or events are not replayed")
    source = sources.get((str(dependency.get("eventSourceName")), str(dependency.get("eventName"))))
    if source is None:
        raise RunEventsError(f"{where}: its EventSource {dependency.get('eventSourceName')} is not in {path.parent}")
    template = trigger.get("template") or {}
    if set(trigger) != {"template"} or template.get("conditionsReset"):
        raise RunEventsError(f"{where}: trigger parameters, policies, conditionsReset are not replayed")
    if template.get("conditions") and len(dependencies) == 1:
        raise RunEventsError(f"{where}: conditions are not replayed on a one-dependency Sensor")
    kind = "k8s" if "k8s" in template else "argoWorkflow"
    action = template.get(kind) or {}
    operation = action.get("operation") or ("create" if kind == "k8s" else "submit")
    resource = (action.get("source") or {}).get("resource") or {}
    if operation not in ("create", "submit") or resource.get("kind") != "Workflow":
        raise RunEventsError(f"{where}: only a trigger creating a Workflow is replayed")
    if any((p.get("operation") or "overwrite") not in _OPERATIONS for p in action.get("parameters") or []):
        raise RunEventsError(f"{where}: only overwrite, append and prepend parameters are replayed")
    several = tuple(dependencies) if len(dependencies) > 1 else ()
    return CompiledSensor(name, source, dependency, action, several, str(template.get("conditions") or ""))
