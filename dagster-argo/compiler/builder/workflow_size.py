"""How large the Workflow object grows that an entrypoint of the output creates, as Argo v4.1.2 stores it.

A Workflow keeps in itself what it runs and how far it got (pkg/apis/workflow/v1alpha1/workflow_types.go): the
WorkflowTemplate's spec (`status.storedWorkflowTemplateSpec`), every template reached through a `templateRef`
(`status.storedTemplates`, keyed `namespaced/<WorkflowTemplate>/<template>`: the chunks of a split DAG, and the step
templates they name) and one `NodeStatus` per node (`status.nodes`: the DAG, each nested DAG, and for a template
with a `retryStrategy` a Retry node plus one Pod node per attempt, with the node's input parameters). Before each
update the controller's hydrator (workflow/hydrator/hydrator.go, workflow/packer/packer.go) compares the whole
object's JSON with `MAX_WORKFLOW_SIZE` (env, default 1 MiB): above it the node status alone is gzip-compressed and
base64-encoded into `status.compressedNodes`; if the object is still larger, the node status is offloaded to SQL
only when `persistence.nodeStatusOffLoad` is configured, else the Workflow errors ("workflow is longer than maximum
allowed size"). Stored templates are never compressed or offloaded, and etcd refuses any object above 1.5 MiB.

This module builds that status for the run where every task succeeds on its first attempt (the smallest a
finished run gets: retries add nodes) from the manifests themselves, and measures it as the controller does.
"""

import base64
import dataclasses
import gzip
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from compiler.builder.node_status import encoded_parameters, node_entry
from compiler.builder.size_budget import STORED_OBJECT_LIMIT, json_size

# a template and its input parameters' values in one node, as node_status.encoded_parameters writes them
Inputs = tuple[Mapping[str, Any], str]
MAX_WORKFLOW_SIZE = 1024 * 1024  # Argo's default MAX_WORKFLOW_SIZE (workflow/packer/packer.go)
WORKFLOW_NAME_SUFFIX = "-1764990000"  # a CronWorkflow's Workflow: its name plus the tick's Unix time


@dataclass(frozen=True)
class WorkflowSize:
    entrypoint: str
    nodes: int
    stored: int  # the object without node status: spec, stored WorkflowTemplate spec and stored templates (bytes)
    node_status: int  # status.nodes as JSON
    compressed_node_status: int  # status.compressedNodes: gzip + base64

    @property
    def uncompressed(self) -> int:
        return self.stored + self.node_status

    @property
    def compressed(self) -> int:
        return self.stored + self.compressed_node_status

    @property
    def fits(self) -> bool:
        """Argo runs it without offloading: whole, or with its node status compressed."""
        return self.compressed <= MAX_WORKFLOW_SIZE


def _fnv32a(text: str, value: int = 0x811C9DC5) -> int:
    """FNV-1a of `text`; from `value`, the hash of a prefix, it hashes the prefix followed by `text`."""
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


class _Walker:
    """Expands an entrypoint into the nodes Argo records, resolving `template` in the current WorkflowTemplate and
    `templateRef` in the one it names, as Argo's template resolution does.

    Each node is written as its `"<id>":{...}` entry of `status.nodes` the moment it is reached (`entries`, in the
    order the nodes were reached: a DAG before its tasks), the text `json.dumps` writes for Argo's NodeStatus: a
    node's children are known before their own nodes, since a node's id is a hash of its name. No node is kept as
    an object: at 10,000 assets those were 20,000 dicts built, kept and encoded at once (benchmarks/README.md)."""

    def __init__(self, library: Mapping[str, Mapping[str, Any]], root: str, workflow: str) -> None:
        self.library = library
        self.root = root
        self.workflow = workflow
        self.stored: dict[str, Any] = {}
        self.entries: list[str] = []
        # (WorkflowTemplate, entrypoint) of each child Workflow a `resource` task creates (builder/child_workflows.py)
        self.children: list[tuple[str, str]] = []

    def node_id(self, name: str, hashed: int) -> str:
        """`hashed`: the FNV-1a of `name` (Argo's node id), carried on from the parent's name rather than rehashed."""
        return self.workflow if name == self.workflow else f"{self.workflow}-{hashed}"

    def node(
        self,
        node_id: str,
        name: str,
        display: str,
        kind: str,
        bound: Inputs,
        scope: str,
        parent: str,
        children: list[str],
    ) -> None:
        self.entries.append(
            node_entry(
                node_id, name, display, kind, bound[0].get("name"), f"namespaced/{scope}", parent, bound[1], children
            )
        )

    def run(self, bound: Inputs, scope: str, name: str, hashed: int, display: str, parent: str) -> str:
        """The nodes of `bound` (a template and its input parameters' values), named `name`, whose hash is `hashed`."""
        template = bound[0]
        node_id = self.node_id(name, hashed)
        if "dag" in template:
            prefix = _fnv32a(".", hashed)
            tasks = []  # (its template bound to its inputs, scope, node name, hash, display name, child Workflow)
            for task in (template.get("dag") or {}).get("tasks") or []:
                target, target_scope = self.resolve(task, scope)
                values = {
                    p.get("name"): p.get("value", "") for p in (task.get("arguments") or {}).get("parameters") or []
                }
                creates = "resource" in target and "workflow-template" in values
                child_workflow = (str(values["workflow-template"]), str(values["entrypoint"])) if creates else None
                items = task.get("withItems") or [None]
                for index, item in enumerate(items):
                    child = task["name"] if item is None else f"{task['name']}({index}:{item})"
                    inputs = (target, _inputs(target, values, item))
                    tasks.append(
                        (inputs, target_scope, f"{name}.{child}", _fnv32a(child, prefix), child, child_workflow)
                    )
            self.node(node_id, name, display, "DAG", bound, scope, parent, [self.node_id(t[2], t[3]) for t in tasks])
            for inputs, target_scope, child_name, child_hash, child, child_workflow in tasks:
                if child_workflow:
                    self.children.append(child_workflow)
                self.run(inputs, target_scope, child_name, child_hash, child, node_id)
            return node_id
        if template.get("retryStrategy"):
            pod_id = self.node_id(f"{name}(0)", _fnv32a("(0)", hashed))
            self.node(node_id, name, display, "Retry", bound, scope, parent, [pod_id])
            self.node(pod_id, f"{name}(0)", f"{display}(0)", "Pod", bound, scope, parent, [])
            return node_id
        self.node(node_id, name, display, "Pod", bound, scope, parent, [])
        return node_id

    def resolve(self, task: Mapping[str, Any], scope: str) -> tuple[Mapping[str, Any], str]:
        ref = task.get("templateRef")
        owner, name = (str(ref["name"]), str(ref["template"])) if ref else (scope, str(task.get("template")))
        template = self.library[owner][name]
        if ref or owner != self.root:  # a local template of the Workflow's own spec is not stored
            self.stored[f"namespaced/{owner}/{name}"] = template
        return template, owner

    def node_status(self) -> str:
        """`status.nodes` as the JSON text of one object."""
        return "{" + ",".join(self.entries) + "}"

    def node_status_length(self) -> int:
        """The length of `node_status()` without writing it (bytes: every entry is ASCII)."""
        return 2 + sum(map(len, self.entries)) + max(len(self.entries) - 1, 0)


def _inputs(template: Mapping[str, Any], values: Mapping[str, Any], item: str | None) -> str:
    parameters = []
    for parameter in (template.get("inputs") or {}).get("parameters") or []:
        value = str(values.get(parameter.get("name"), parameter.get("default", "")))
        if item is not None:
            value = value.replace("{{item}}", str(item))
        parameters.append((parameter.get("name"), value))
    return encoded_parameters(parameters)


def workflow_sizes(
    documents: Mapping[str, Any], root: str, measured: Mapping[str, WorkflowSize] | None = None
) -> Iterator[WorkflowSize]:
    """For each DAG template of WorkflowTemplate `root` a Workflow can start at (`main`, `job-<job>`), the size of
    that Workflow once every task succeeded; then, named `<entrypoint>/<chunk>`, each child Workflow its `resource`
    tasks create (compiler/builder/child_workflows.py), whose own node (a Pod node) the parent holds. `measured`:
    sizes `measure_over` already simulated on these same documents, yielded as they are."""
    library, specs = _library(documents)
    spec = specs[root]
    for entrypoint in _entrypoints(library, root):
        if measured and entrypoint in measured:
            yield measured[entrypoint]
            continue
        size, children = _measure(library, root, spec, entrypoint, spec.get("arguments"))
        yield size
        for owner, chunk in dict.fromkeys(children):  # each child Workflow's WorkflowTemplate is a chunk's
            child, _ = _measure(library, owner, specs[owner], chunk, spec.get("arguments"))
            yield dataclasses.replace(child, entrypoint=f"{entrypoint}/{chunk}")


def _library(documents: Mapping[str, Any]) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Each WorkflowTemplate's templates by name, and its spec."""
    templates = [d for d in documents.values() if isinstance(d, dict) and d.get("kind") == "WorkflowTemplate"]
    library = {
        str(d["metadata"]["name"]): {str(t["name"]): t for t in d["spec"].get("templates") or []} for d in templates
    }
    return library, {str(d["metadata"]["name"]): d["spec"] for d in templates}


def _entrypoints(library: Mapping[str, Mapping[str, Any]], root: str) -> list[str]:
    """The DAG templates of `root` a Workflow starts at: `main` and `job-<job>`."""
    return [
        name
        for name, template in library[root].items()
        if "dag" in template and (name == "main" or name.startswith("job-"))
    ]


def _measure(
    library: Mapping[str, Mapping[str, Any]],
    root: str,
    spec: Mapping[str, Any],
    entrypoint: str,
    arguments: Any,
    stored: int | None = None,
) -> tuple[WorkflowSize, list[tuple[str, str]]]:
    """`stored`: the stored part's size when the caller measured it already (`_stored_templates` stores what the
    walk does: tests/compiler/test_workflow_size_fast.py)."""
    workflow = f"{root}{WORKFLOW_NAME_SUFFIX}"
    template = library[root][entrypoint]
    walker = _Walker(library, root, workflow)
    walker.run((template, _inputs(template, {}, None)), root, workflow, _fnv32a(workflow), workflow, "")
    if stored is None:
        stored = _stored_size(root, spec, entrypoint, arguments, walker.stored)
    nodes = walker.node_status_length()
    # compressed only when the whole object is too large, as the hydrator does
    compressed = nodes if stored + nodes <= MAX_WORKFLOW_SIZE else _compressed_size(walker.node_status().encode())
    return WorkflowSize(entrypoint, len(walker.entries), stored, nodes, compressed), walker.children


def _stored_size(root: str, spec: Mapping[str, Any], entrypoint: str, arguments: Any, stored: Mapping[str, Any]) -> int:
    """The Workflow object without its node status: what `WorkflowSize.stored` counts."""
    workflow = f"{root}{WORKFLOW_NAME_SUFFIX}"
    skeleton = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"name": workflow, "namespace": "argo", "labels": {"workflows.argoproj.io/phase": "Succeeded"}},
        "spec": {"workflowTemplateRef": {"name": root}, "entrypoint": entrypoint, "arguments": arguments},
        "status": {"phase": "Succeeded", "storedWorkflowTemplateSpec": spec, "storedTemplates": stored},
    }
    return json_size(skeleton)


def _stored_templates(library: Mapping[str, Mapping[str, Any]], root: str, entrypoint: str) -> dict[str, Any]:
    """The templates a Workflow of `entrypoint` stores, as `_Walker` records them, without building its nodes: each
    DAG template is expanded once, however many tasks (or items) reach it."""
    stored: dict[str, Any] = {}
    expanded = {(root, entrypoint)}
    pending = [(library[root][entrypoint], root)]
    while pending:
        template, scope = pending.pop()
        for task in (template.get("dag") or {}).get("tasks") or []:
            ref = task.get("templateRef")
            owner, name = (str(ref["name"]), str(ref["template"])) if ref else (scope, str(task.get("template")))
            target = library[owner][name]
            if ref or owner != root:
                stored[f"namespaced/{owner}/{name}"] = target
            if "dag" in target and (owner, name) not in expanded:
                expanded.add((owner, name))
                pending.append((target, owner))
    return stored


def stored_size(documents: Mapping[str, Any], root: str, entrypoint: str) -> int:
    """`WorkflowSize.stored` of the Workflow starting at `entrypoint`, from the templates it reaches, without nodes."""
    library, specs = _library(documents)
    stored = _stored_templates(library, root, entrypoint)
    return _stored_size(root, specs[root], entrypoint, specs[root].get("arguments"), stored)


def measure_over(
    documents: Mapping[str, Any], root: str, entrypoints: frozenset[str], budget: int
) -> tuple[frozenset[str], dict[str, WorkflowSize]]:
    """Which of `entrypoints` (DAG templates of `root` a Workflow starts at) make a Workflow whose `compressed` size
    exceeds `budget` (what `workflow_sizes` answers, faster), and the sizes simulated on the way (entrypoint → what
    `workflow_sizes` yields for it), which `size_warnings` takes instead of simulating the same Workflow again. The
    compressed size is the stored part plus the compressed node status, so a stored part above the budget decides
    alone; only the others build their nodes."""
    library, specs = _library(documents)
    spec = specs[root]
    over = set()
    measured = {}
    for entrypoint in _entrypoints(library, root):
        if entrypoint not in entrypoints:
            continue
        arguments = spec.get("arguments")
        stored = _stored_size(root, spec, entrypoint, arguments, _stored_templates(library, root, entrypoint))
        if stored > budget:
            over.add(entrypoint)
            continue
        size, children = _measure(library, root, spec, entrypoint, arguments, stored)
        if not children:  # a Workflow creating child Workflows: `workflow_sizes` yields theirs too
            measured[entrypoint] = size
        if size.compressed > budget:
            over.add(entrypoint)
    return frozenset(over), measured


def _compressed_size(nodes: bytes) -> int:
    return len(base64.b64encode(gzip.compress(nodes, compresslevel=6)))


def size_warnings(
    documents: Mapping[str, Any], root: str, measured: Mapping[str, WorkflowSize] | None = None
) -> list[str]:
    """One line per entrypoint whose Workflow would outgrow what Argo keeps without offloading its node status;
    `measured` as `workflow_sizes` takes it."""
    warnings = []
    for size in workflow_sizes(documents, root, measured):
        if size.fits:
            continue
        if size.stored > STORED_OBJECT_LIMIT:
            verdict = "it cannot run: stored templates are never offloaded and etcd stores at most 1.5 MiB"
        else:
            verdict = "it runs only with the node status offloaded (persistence.nodeStatusOffLoad)"
        warnings.append(
            f"entrypoint {size.entrypoint} of {root}: a Workflow running it records {size.nodes} nodes and grows to "
            f"{size.compressed / 2**20:.1f} MiB even with its node status compressed (stored templates "
            f"{size.stored / 2**20:.1f} MiB), above Argo's MAX_WORKFLOW_SIZE of 1 MiB: {verdict}; split the job into "
            'smaller jobs (compiler/README.md, "Workflows at scale")'
        )
    return warnings
