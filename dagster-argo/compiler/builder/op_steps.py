"""One task per op: an op job whose every handoff goes through shared storage runs each op in its own pod, as
Dagster's k8s executor (or the multiprocess executor on one machine) runs each step in its own process.

Read here (the build's load stage): the job's ops and their dependencies (`OpStep`s), and the IO managers its ops'
outputs go through (`IOHandoff`s, judged as for assets by compiler/builder/fidelity/io_handoff.py). Decided with
the settings (compiler/builder/op_job_plan.py): when every handoff is on shared storage the `job-<name>` DAG holds
one task per op (`materialize --job J --op STEP`, compiler/materialize/op_step.py); otherwise the whole job runs in
one pod, as before.

Shapes this module maps to Argo (anything else keeps the one-pod mapping, which stays faithful, and says why):
- ops of the job's top-level graph (ops inside nested graphs: one pod);
- a `DynamicOut` whose mapped ops (`.map(op)`) read no other mapped op's output: each mapped op is one task with
  `withParam` over the mapping keys the dynamic op's pod writes; a mapped op's outputs are only collected
  (`.collect()`), and mapped ops have no optional outputs (their pods' outcomes are not visible to the collect).
Why `withParam` and not a pod per key decided by a planner: the mapping keys exist only once the dynamic op ran, and
Argo expands a `withParam` task when its upstream finished, which is when Dagster's executor resolves the mapping.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import dagster as dg
from dagster._core.definitions.dependency import NodeHandle, NodeInput
from dagster._core.definitions.job_definition import default_job_io_manager

from compiler.builder.fidelity.io_handoff import DUCKDB_KIND, FILESYSTEM_KIND, _pod_local_kind, check_handoffs
from compiler.builder.model import IOHandoff
from compiler.builder.naming import fit_name, sanitise
from compiler.errors import UnsupportedInputError
from compiler.settings import Settings


@dataclass(frozen=True)
class OpStep:
    """One op of the job, one Argo task: `handle` is Dagster's step key without a mapping key."""

    handle: str
    upstream: tuple[str, ...]  # the ops whose outputs it reads (direct dependencies), sorted
    mapped_over: str = ""  # a mapped op (`.map()`): the op whose DynamicOut it fans out over
    dynamic: bool = False  # has a DynamicOut: its pod writes the mapping keys


def read_op_steps(job: dg.JobDefinition) -> tuple[tuple[OpStep, ...], str]:
    """The job's ops as steps, or () and the reason its shape keeps the one-pod mapping."""
    graph = job.graph
    structure = graph.dependency_structure
    if any(not isinstance(node.definition, dg.OpDefinition) for node in graph.nodes):
        return _nested_steps(job)
    steps: list[OpStep] = []
    mapped: set[str] = set()
    for node in graph.nodes:
        if structure.is_dynamic_mapped(node.name):
            mapped.add(node.name)
    for node in sorted(graph.nodes, key=lambda n: n.name):
        definition = node.definition
        assert isinstance(definition, dg.OpDefinition)
        upstream: set[str] = set()
        for input_def in definition.input_defs:
            node_input = NodeInput(node, input_def)
            if input_def.input_manager_key:
                return (), f"op {node.name} loads input {input_def.name} with an input manager"
            for output in structure.get_deps_list(node_input) if structure.has_deps(node_input) else []:
                source = output.node_name
                if source in mapped and not structure.has_dynamic_fan_in_dep(node_input):
                    return (), f"op {node.name} reads mapped op {source}'s output outside a .collect()"
                upstream.add(source)
        mapped_over = ""
        if node.name in mapped:
            dynamic_output = structure.get_upstream_dynamic_output_for_node(node.name)
            mapped_over = dynamic_output.node_name if dynamic_output is not None else ""
            if mapped_over in mapped:
                return (), f"op {node.name} is mapped over a mapped op: nested maps are not one task each"
            if any(not out.is_required for out in definition.output_defs):
                return (), f"mapped op {node.name} has an optional output"
        dynamic_outputs = [out.name for out in definition.output_defs if out.is_dynamic]
        if len(dynamic_outputs) > 1:
            return (), f"op {node.name} has {len(dynamic_outputs)} DynamicOuts: its pod writes one mapping-keys list"
        dynamic = bool(dynamic_outputs)
        steps.append(
            OpStep(handle=node.name, upstream=tuple(sorted(upstream)), mapped_over=mapped_over, dynamic=dynamic)
        )
    return tuple(steps), ""


def _nested_steps(job: dg.JobDefinition) -> tuple[tuple[OpStep, ...], str]:
    """Ops inside nested graphs: one step per op, by node handle (`outer.inner`, Dagster's step key), its
    upstream ops found through the graphs' input and output mappings as Dagster's plan builder resolves them.
    Dynamic outputs inside nested graphs keep the one-pod mapping."""
    ops = [
        (handle, job.graph.get_node(handle).definition)
        for handle in job.graph.iterate_node_handles()
        if isinstance(job.graph.get_node(handle).definition, dg.OpDefinition)
    ]
    steps = []
    for handle, definition in sorted(ops, key=lambda pair: str(pair[0])):
        assert isinstance(definition, dg.OpDefinition)
        if any(out.is_dynamic for out in definition.output_defs) or _is_mapped(job.graph, handle):
            return (), f"op {handle} has dynamic outputs inside nested graphs"
        upstream: set[str] = set()
        for input_def in definition.input_defs:
            if input_def.input_manager_key:
                return (), f"op {handle} loads input {input_def.name} with an input manager"
            upstream.update(str(source) for source, _output in _sources(job.graph, handle, input_def.name))
        steps.append(OpStep(handle=str(handle), upstream=tuple(sorted(upstream))))
    return tuple(steps), ""


def _graph_at(root: dg.GraphDefinition, handle: Any) -> dg.GraphDefinition:
    """The graph holding the node `handle` (the job's own graph at the top)."""
    if handle.parent is None:
        return root
    definition = root.get_node(handle.parent).definition
    assert isinstance(definition, dg.GraphDefinition)
    return definition


def _is_mapped(root: dg.GraphDefinition, handle: Any) -> bool:
    return _graph_at(root, handle).dependency_structure.is_dynamic_mapped(handle.name)


def _sources(root: dg.GraphDefinition, handle: Any, input_name: str) -> list[tuple[Any, str]]:
    """(op handle, output name) of every op output feeding this node's input: through its graph's dependencies,
    into a graph node via its output mappings, out of a graph via its input mappings."""
    graph = _graph_at(root, handle)
    node = graph.node_named(handle.name)
    node_input = NodeInput(node, node.definition.input_def_named(input_name))
    structure = graph.dependency_structure
    if structure.has_deps(node_input):
        found = []
        for output in structure.get_deps_list(node_input):
            source = handle.parent.with_child(NodeHandle(output.node_name, None)) if handle.parent else None
            source = source or NodeHandle(output.node_name, None)
            definition = output.node.definition
            if isinstance(definition, dg.GraphDefinition):
                origin_def, origin = definition.resolve_output_to_origin(output.output_def.name, source)
                found.append((origin, origin_def.name))
            else:
                found.append((source, output.output_def.name))
        return found
    if handle.parent is None:
        return []  # a job input (input_values, config): no op feeds it
    return [
        item
        for mapping in graph.input_mappings
        if mapping.maps_to.node_name == handle.name and mapping.maps_to.input_name == input_name
        for item in _sources(root, handle.parent, mapping.graph_input_name)
    ]


def job_handoffs(job: dg.JobDefinition, shared: Mapping[str, Any], steps: tuple[OpStep, ...]) -> tuple[IOHandoff, ...]:
    """The outputs of every op another op reads (each of its outputs but Nothing: which one a reader reads does not
    matter for where the op's pod stores them) that go through an IO manager keeping values inside one pod (a
    filesystem IO manager may be on a shared volume; the settings decide that), as fidelity/io_handoff.py judges
    assets."""
    bound = {**shared, **job.resource_defs}
    resources = {key: _as_configured(value) for key, value in bound.items() if value is not default_job_io_manager}
    producers = sorted({up for step in steps for up in step.upstream})
    handoffs: list[IOHandoff] = []
    for producer in producers:
        definition = job.graph.get_node(NodeHandle.from_string(producer)).definition
        for output in sorted(definition.output_defs, key=lambda o: o.name):
            if output.dagster_type.is_nothing:
                continue
            found = _pod_local_kind(output.io_manager_key, resources)
            if found is None:
                continue
            kind, path = found
            handoffs.append(
                IOHandoff(
                    asset=f"{producer}.{output.name}",
                    upstream=producer,
                    io_manager_key=output.io_manager_key,
                    kind=kind,
                    can_be_shared=kind in (FILESYSTEM_KIND, DUCKDB_KIND),
                    path=path if isinstance(path, str) else None,
                    path_variable=path.env_var_name if isinstance(path, dg.EnvVar) else None,
                )
            )
    return tuple(handoffs)


def _as_configured(resource: Any) -> Any:
    """A job binds a ConfigurableResource (FilesystemIOManager(base_dir=...), S3PickleIOManager, ...) as a
    ResourceDefinition whose config defaults are its fields; rebuilt (unvalidated) as that class, it is judged as
    the assets' IO managers are, its base_dir an EnvVar when it was one. (The job's default IO manager is left
    out by the caller: absent, it is judged as Dagster's default filesystem one, on the pod's disk.)"""
    cls = getattr(resource, "_configurable_resource_cls", None)
    if cls is None:
        return resource
    field = resource.config_field
    defaults = field.default_value if field is not None and field.default_provided else {}
    values = {
        key: dg.EnvVar(value["env"]) if isinstance(value, dict) and set(value) == {"env"} else value
        for key, value in (defaults if isinstance(defaults, dict) else {}).items()
    }
    try:
        return cls.model_construct(**values)
    except Exception:  # a class that cannot be built without validation: judged as a custom IO manager
        return resource


def on_shared_storage(handoffs: tuple[IOHandoff, ...], settings: Settings) -> bool:
    """Whether every handoff reaches the next pod, by the assets' rule (fidelity/io_handoff.py check_handoffs)."""
    try:
        check_handoffs(handoffs, settings)
    except UnsupportedInputError:
        return False
    return True


def task_name(handle: str) -> str:
    return fit_name(sanitise(handle, fallback="op"))
