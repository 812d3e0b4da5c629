"""From a new object to a finished local Workflow: list after the cursor, shape the notification, run the Sensor,
create (or refuse to re-create) its Workflow, and replay it with run-local's machinery."""

import copy
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from compiler.parse import parse_documents
from compiler.run_events import workflow_source
from compiler.run_events.conditions import conditions_hold
from compiler.run_events.records import aws_record, minio_event_data, minio_record, sqs_event_data
from compiler.run_events.sensors import CompiledSensor, RunEventsError, Source
from compiler.run_local.command import execute
from compiler.run_local.errors import RunLocalError
from compiler.run_local.manifest import load_workflow
from compiler.sensors.cursor import ObjectCursor
from compiler.sensors.store import StoredObject


@dataclass
class ReplayState:
    """What a cluster would remember between deliveries: each source's listing cursor, the Workflows that exist."""

    cursors: dict[str, str] = field(default_factory=dict)
    workflows: set[str] = field(default_factory=set)
    # a Sensor with several dependencies: the latest event each holds until its trigger fires (Sensor → dep → data)
    held: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None) -> "ReplayState":
        if path is None or not path.is_file():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(dict(data.get("cursors", {})), set(data.get("workflows", [])), dict(data.get("held", {})))

    def save(self, path: Path | None) -> None:
        if path is not None:
            data: dict[str, Any] = {"cursors": self.cursors, "workflows": sorted(self.workflows)}
            if any(self.held.values()):
                data["held"] = self.held
            path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


@dataclass
class Outcome:
    created: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # AlreadyExists: a redelivered event
    failed: list[str] = field(default_factory=list)
    filtered: int = 0


def event_data(source: Source, bucket: str, obj: StoredObject) -> dict[str, Any]:
    """The data a dependency on `source` sees for a PUT of `obj`."""
    if source.kind == "minio":
        return minio_event_data(minio_record(bucket, obj, str(source.settings.get("region", ""))))
    return sqs_event_data(aws_record(bucket, obj, str(source.settings.get("region", "us-east-1"))))


def new_objects(source: Source, listed: list[StoredObject], state: ReplayState) -> list[StoredObject]:
    """The objects after the source's cursor; the cursor moves past all of them."""
    key = f"{source.name}/{source.event}"
    cursor = ObjectCursor.parse(state.cursors.get(key))
    fresh = [obj for obj in listed if cursor.is_new(obj)]
    state.cursors[key] = cursor.advanced(fresh).serialize() or state.cursors.get(key, "")
    return fresh


def deliver(
    sensors: list[CompiledSensor],
    source: Source,
    data: Mapping[str, Any],
    directory: Path,
    state: ReplayState,
    outcome: Outcome,
    run: Callable[[dict[str, Any], Path], int],
) -> None:
    """One event from `source` to every Sensor depending on it, as the EventBus fans it out."""
    records = data.get("notification") if source.kind == "minio" else None
    if records is not None and not all(source.accepts(record) for record in records):
        outcome.filtered += 1
        return
    if source.kind == "resource" and not workflow_source.accepts(source, data):  # the informer's own filter
        outcome.filtered += 1
        print(f"run-events: {source.name}: not watched ({_key_of(data)})", flush=True)
        return
    for sensor in sensors:
        if sensor.source != source:
            continue
        if sensor.dependencies:  # several: each keeps its latest event; the trigger fires when conditions hold
            matched = sensor.matching(data)
            if not matched:
                outcome.filtered += 1
                print(f"run-events: {sensor.name}: event filtered out ({_key_of(data)})", flush=True)
                continue
            held = state.held.setdefault(sensor.name, {})
            held.update({name: dict(data) for name in matched})
            names = {str(d["name"]) for d in sensor.dependencies}
            if not conditions_hold(sensor.conditions, set(held), names):
                print(f"run-events: {sensor.name}: holding {', '.join(sorted(held))} ({_key_of(data)})", flush=True)
                continue
            workflow = sensor.workflow(data, held)
            state.held[sensor.name] = {}  # Argo Events clears every dependency once the trigger fired
        elif not sensor.passes(data):
            outcome.filtered += 1
            print(f"run-events: {sensor.name}: event filtered out ({_key_of(data)})", flush=True)
            continue
        else:
            workflow = sensor.workflow(data)
        name = str((workflow.get("metadata") or {}).get("name"))
        if name in state.workflows:
            outcome.refused.append(name)
            print(
                f"run-events: {sensor.name}: workflows.argoproj.io {name!r} already exists: not run again", flush=True
            )
            continue
        state.workflows.add(name)
        outcome.created.append(name)
        print(f"run-events: {sensor.name}: created Workflow {name} for {_key_of(data)}", flush=True)
        if run(workflow, directory) != 0:
            outcome.failed.append(name)


def _key_of(data: Mapping[str, Any]) -> str:
    if "body" in data and "metadata" in (data.get("body") or {}):  # a resource event: the Workflow
        body = data["body"]
        return f"Workflow {body['metadata'].get('name')} {(body.get('status') or {}).get('phase')}"
    records = data.get("notification") or (data.get("body") or {}).get("Records") or [{}]
    return str(((records[0].get("s3") or {}).get("object") or {}).get("key"))


def run_workflow(workflow: dict[str, Any], directory: Path, max_parallel: int) -> int:
    """The created Workflow merged onto its WorkflowTemplate (as Argo's controller does for workflowTemplateRef),
    replayed by run-local with its exact name."""
    spec = workflow.get("spec") or {}
    reference = (spec.get("workflowTemplateRef") or {}).get("name")
    templates = workflow_templates(directory)
    if reference not in templates:
        raise RunEventsError(
            f"Workflow {workflow['metadata']['name']}: WorkflowTemplate {reference!r} not in {directory}"
        )
    merged = copy.deepcopy(templates[reference])
    merged["kind"] = "Workflow"
    merged["metadata"] = {**workflow.get("metadata", {}), "namespace": workflow["metadata"].get("namespace")}
    merged_spec = merged["spec"]
    merged_spec["entrypoint"] = spec.get("entrypoint") or merged_spec.get("entrypoint")
    given = {p["name"]: p for p in (spec.get("arguments") or {}).get("parameters") or []}
    parameters = (merged_spec.get("arguments") or {}).get("parameters") or []
    merged_spec.setdefault("arguments", {})["parameters"] = [given.get(p["name"], p) for p in parameters]
    with tempfile.TemporaryDirectory(prefix="run-events-") as folder:
        path = Path(folder) / "workflow.yaml"
        path.write_text(yaml.safe_dump(merged, sort_keys=True), encoding="utf-8")
        try:
            model = load_workflow(path, None, sorted(directory.glob("*.yaml")))
        except RunLocalError as error:
            raise RunEventsError(str(error)) from None
        return execute(model, {}, None, max_parallel, exact_name=True)


def workflow_templates(directory: Path) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.workflowtemplate.yaml")):
        for document in parse_documents(path.read_text(encoding="utf-8"), str(path)):
            if isinstance(document, dict) and document.get("kind") == "WorkflowTemplate":
                found[str(document["metadata"]["name"])] = document
    return found


def credential_variables(directory: Path, source: Source) -> tuple[str, str]:
    """The local variables holding the EventSource's secretKeyRefs: the env names the WorkflowTemplate's pods read
    the same Secret keys as (run-local maps secretKeyRef to the local variable of the same name)."""
    by_ref: dict[tuple[str, str], str] = {}
    for template in workflow_templates(directory).values():
        for step in template["spec"].get("templates") or []:
            for entry in (step.get("container") or {}).get("env") or []:
                ref = (entry.get("valueFrom") or {}).get("secretKeyRef")
                if ref:
                    by_ref[(str(ref.get("name")), str(ref.get("key")))] = str(entry["name"])
    names = []
    for field_name, fallback in (("accessKey", "MINIO_ACCESS_KEY"), ("secretKey", "MINIO_SECRET_KEY")):
        ref = source.settings.get(field_name) or {}
        names.append(by_ref.get((str(ref.get("name")), str(ref.get("key"))), fallback))
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        raise RunEventsError(f"set {', '.join(missing)} (the EventSource's credentials, as the pods read them)")
    return names[0], names[1]
