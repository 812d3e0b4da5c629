"""The `resource` EventSource on Workflows (compiler/builder/run_triggers.py), replayed: what it reports of an ended
Workflow, and the two Go templates the compiled Sensors write for it.

argo-events v1.9.11 `pkg/eventsources/sources/resource/start.go`: a filtered dynamic informer on
group/version/resource in `namespace`, its label selector built from `filter.labels` (`key<op>value`), handing the
Sensor `{type, body, oldBody, group, version, resource, metadata}` for each watched event type; `body` is the object.
What the compiled EventSources do not use (field filters, prefix, createdBy, afterStart, other resources) is refused
by name rather than approximated.
"""

import copy
import hashlib
from collections.abc import Mapping
from typing import Any

from compiler.run_events.sensors import RunEventsError, Source
from compiler.sensors.workflow_events import NAME_TEMPLATE, OBJECT_KEY_TEMPLATE, PREFIX

GROUP, VERSION, RESOURCE = "argoproj.io", "v1alpha1", "workflows"
COMPLETED_LABEL = "workflows.argoproj.io/completed"
PHASE_LABEL = "workflows.argoproj.io/phase"
ENDED_PHASES = ("Succeeded", "Failed", "Error")  # a Workflow's phases once it ended
_FILTER_KEYS = {"labels"}


def check_source(where: str, settings: Mapping[str, Any]) -> None:
    """Refuses what the replay does not evaluate."""
    if (settings.get("group"), settings.get("version"), settings.get("resource")) != (GROUP, VERSION, RESOURCE):
        raise RunEventsError(f"{where}: only resource sources on argoproj.io/v1alpha1 workflows are replayed")
    if set(settings.get("filter") or {}) - _FILTER_KEYS:
        raise RunEventsError(f"{where}: resource filters other than labels are not replayed")
    for selector in (settings.get("filter") or {}).get("labels") or []:
        if (selector.get("operation") or "==") not in ("=", "==", "!="):
            raise RunEventsError(f"{where}: label operation {selector.get('operation')!r} is not replayed")


def workflow_event(workflow: Mapping[str, Any], old: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The data an UPDATE of `workflow` gives a dependency (resource/start.go's InformerEventData)."""
    return {
        "type": "UPDATE",
        "body": dict(workflow),
        "oldBody": dict(old if old is not None else workflow),
        "group": GROUP,
        "version": VERSION,
        "resource": RESOURCE,
    }


def accepts(source: Source, data: Mapping[str, Any]) -> bool:
    """The informer's own filter: event type, resource, namespace and the label selector."""
    settings = source.settings
    if data.get("type") not in (settings.get("eventTypes") or []):
        return False
    if (data.get("group"), data.get("version"), data.get("resource")) != (GROUP, VERSION, RESOURCE):
        return False
    metadata = (data.get("body") or {}).get("metadata") or {}
    if settings.get("namespace") and metadata.get("namespace") != settings.get("namespace"):
        return False
    labels = metadata.get("labels") or {}
    for selector in (settings.get("filter") or {}).get("labels") or []:
        key, value = str(selector.get("key")), str(selector.get("value"))
        equal = key in labels and str(labels[key]) == value
        if equal == ((selector.get("operation") or "==") == "!="):
            return False
    return True


def resolve_template(template: str, data: Mapping[str, Any]) -> str | None:
    """The compiled Sensor's `object-key` or Workflow-name template over this event, or None when `template` is
    neither (the caller refuses it). A missing field renders as Go's `<no value>`, which the filters exclude."""
    body = data.get("body") or {}
    name = str((body.get("metadata") or {}).get("name", "<no value>"))
    found = OBJECT_KEY_TEMPLATE.match(template)
    if found is not None:
        phase = str((body.get("status") or {}).get("phase", "<no value>"))
        return f"{PREFIX} {found['job']} {found['requested']} {phase} {name}"
    found = NAME_TEMPLATE.match(template)
    if found is not None:
        return found["prefix"] + hashlib.sha256(name.encode("utf-8")).hexdigest()[: int(found["length"])]
    return None


def ended_workflow(
    template: Mapping[str, Any], name: str, entrypoint: str, phase: str, namespace: str | None = None
) -> dict[str, Any]:
    """A Workflow of the WorkflowTemplate `template` as Argo's API returns it once it ended: the template's
    workflowMetadata labels plus the controller's completed/phase labels; `spec` as `argo submit --from
    workflowtemplate/... --entrypoint` writes it; `status.phase` and the joined spec the controller stores in
    `status.storedWorkflowTemplateSpec`."""
    spec = copy.deepcopy(dict(template.get("spec") or {}))
    labels = dict(((spec.get("workflowMetadata") or {}).get("labels")) or {})
    labels.update({COMPLETED_LABEL: "true", PHASE_LABEL: phase})
    spec["entrypoint"] = entrypoint
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Workflow",
        "metadata": {
            "name": name,
            "namespace": namespace or (template.get("metadata") or {}).get("namespace"),
            "labels": labels,
        },
        "spec": {
            "workflowTemplateRef": {"name": (template.get("metadata") or {}).get("name")},
            "entrypoint": entrypoint,
        },
        "status": {"phase": phase, "storedWorkflowTemplateSpec": spec},
    }
