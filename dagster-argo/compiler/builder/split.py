"""Splits a WorkflowTemplate too large for `kubectl apply` into several joined by `templateRef`.

A manifest applied client-side is copied whole into its `last-applied-configuration` annotation, and an object's
annotations may total 256 KiB (compiler/builder/size_budget.py). A project whose one WorkflowTemplate renders larger
than SPLIT_ABOVE keeps in it the workflow spec, the schedule-gates and every small DAG; the step templates and the
per-key DAGs move to `<name>-steps`; each larger DAG (`main`, `job-<job>`) becomes a DAG of chunk tasks (under its
schedule-gate when that answers the same for every task: it filters ticks, as for daylight-saving entries, or the
schedule skips a tick or requests the whole job; one that selected part of the job at a sampled tick is refused),
each running by `templateRef` a chunk DAG template
`<dag>-part-<key>` in a WorkflowTemplate `<name>-<dag>-<key>` of its own, whose tasks in turn name their step
templates by `templateRef` in `<name>-steps` (a templateRef'd template resolves its own `template:` names in its own
WorkflowTemplate, so every reference out of a chunk is explicit). How tasks are cut into chunks: dag_chunks.py.
A chunk runs inside the Workflow of its caller: `workflow.parameters`, volumes and the service account are the
caller's, so the chunks mean exactly what the one template meant.
"""

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from compiler.builder.dag_chunks import Chunking, chunk_tasks, task_sizes
from compiler.builder.fidelity.schedule_gate import gated_as_one, without_gate
from compiler.builder.naming import fit_name
from compiler.builder.plan_types import Dag, Plan, StepTemplate, Task
from compiler.builder.workflow_size import WorkflowSize
from compiler.errors import UnsupportedInputError

SPLIT_ABOVE = 240 * 1024  # the one WorkflowTemplate's rendered text: below it nothing is split
CHUNK_BUDGET = 160 * 1024  # estimated tasks per chunk WorkflowTemplate, with room to spare under 256 KiB
INLINE_BUDGET = 64 * 1024  # DAGs kept whole in the main WorkflowTemplate, in plan order, while they fit in it
DAG_OVERHEAD = 300


@dataclass(frozen=True)
class Part:
    """One library WorkflowTemplate: a chunk (its name, file, the DAG it belongs to and its chunk DAG template), or
    `<name>-steps` (its per-key DAGs and step templates)."""

    name: str
    file_name: str
    dag: str
    chunk: Dag
    dags: tuple[Dag, ...] = ()
    steps: tuple[StepTemplate, ...] = ()
    refs: Mapping[str, str] = dataclasses.field(default_factory=dict)  # template → its WorkflowTemplate


@dataclass(frozen=True)
class Layout:
    dags: tuple[Dag, ...]  # the main WorkflowTemplate's DAG templates (chunked ones as DAGs of chunk tasks)
    steps: tuple[StepTemplate, ...]  # the main WorkflowTemplate's step templates
    parts: tuple[Part, ...] = ()
    refs: Mapping[str, str] = dataclasses.field(default_factory=dict)  # template → its WorkflowTemplate, in the main
    warnings: tuple[str, ...] = ()
    library: Part | None = None  # when split: `<name>-steps`, the step templates and per-key DAGs
    # chunked DAGs whose chunks run as child Workflows (compiler/builder/child_workflows.py)
    children: frozenset[str] = frozenset()
    # the Workflow sizes the child-Workflow decision simulated on the manifests as rendered (builder/workflow_size.py)
    sizes: Mapping[str, WorkflowSize] = dataclasses.field(default_factory=dict)


def whole(plan: Plan) -> Layout:
    return Layout(plan.dags, plan.steps)


def split(plan: Plan) -> Layout:
    """Chunks every entry DAG that does not fit beside the others; per-key DAGs stay whole. The step
    templates and per-key DAGs move to `<name>-steps`, which names no other WorkflowTemplate, so the references run
    one way (main → chunks → steps) and `argo template create` can create the files in that order."""
    library_name = fit_name(f"{plan.name}-steps")
    per_key = tuple(dag for dag in plan.dags if dag.per_key)
    library = Part(library_name, f"{library_name}.workflowtemplate.yaml", "", Dag("", ()), per_key, plan.steps)
    to_library = {step.name: library_name for step in plan.steps} | {dag.name: library_name for dag in per_key}
    dags: list[Dag] = []
    parts: list[Part] = []
    warnings: list[str] = []
    inline = 0
    for dag in plan.dags:
        if dag.per_key:
            continue
        sizes = task_sizes(dag.tasks)
        size = DAG_OVERHEAD + sum(sizes.values())
        if inline + size <= INLINE_BUDGET:
            inline += size
            dags.append(dag)
            continue
        if dag.gate and dag.gate.selects:
            raise UnsupportedInputError(
                f"DAG {dag.name}: a schedule of its job selects only some of its assets at some ticks (RunRequest "
                "asset_selection, which a schedule-gate task evaluates for every task) and its tasks do not fit in "
                "one manifest; request the whole job (or skip the tick) in the schedule, or split the job into "
                "smaller jobs"
            )
        if any(task.upstream or task.with_param for task in dag.tasks):
            raise UnsupportedInputError(
                f"DAG {dag.name}: it plans the upstream partitions of another cadence (plan-partitions tasks whose "
                "lists its withParam tasks read, which must stay in one DAG template) and its tasks do not fit in one "
                "manifest; give the differently partitioned assets their own jobs and schedules, or split the job "
                "into smaller jobs"
            )
        gate, dag = dag.gate, without_gate(dag)  # a tick filter gates the chunk tasks instead
        chunking = chunk_tasks(dag.tasks, CHUNK_BUDGET, task_sizes(dag.tasks) if gate else sizes)
        thin, dag_parts = _chunked(plan, dag, chunking, to_library)
        dags.append(gated_as_one(thin, gate) if gate else thin)
        parts.extend(dag_parts)
        warnings.extend(_warnings(plan, dag, chunking))
    refs = to_library | {part.chunk.name: part.name for part in parts}
    return Layout(tuple(dags), (), tuple(parts), refs, tuple(warnings), library)


def _chunked(plan: Plan, dag: Dag, chunking: Chunking, to_library: Mapping[str, str]) -> tuple[Dag, list[Part]]:
    tasks = []
    parts = []
    for chunk in chunking.chunks:
        template = f"{dag.name}-part-{chunk.key}"
        name = fit_name(f"{plan.name}-{dag.name}-{chunk.key}")
        inner = Dag(template, chunk.tasks, parallelism=dag.parallelism)
        parts.append(Part(name, f"{name}.workflowtemplate.yaml", dag.name, inner, refs=to_library))
        tasks.append(Task(f"part-{chunk.key}", template, "", tuple(f"part-{key}" for key in chunk.depends), chunk=True))
    # Argo's `parallelism` bounds a DAG's own running children: with the chunks one at a time, at most the DAG's
    # limit of steps runs at once, as the executor's max_concurrent says (fewer when a chunk has fewer ready).
    parallelism = 1 if dag.parallelism and len(parts) > 1 else None
    return dataclasses.replace(dag, tasks=tuple(tasks), parallelism=parallelism), parts


def _warnings(plan: Plan, dag: Dag, chunking: Chunking) -> list[str]:
    warnings = []
    if chunking.over_skipped:
        warnings.append(
            f"DAG {dag.name} of {plan.name} is too large for one manifest and a group of connected assets too large "
            "for one chunk: a failed asset there skips every asset of the chunks after its own, also "
            f"{chunking.over_skipped} asset(s) that do not depend on it (Dagster runs those); split the job into "
            "smaller jobs to keep Dagster's meaning"
        )
    if dag.parallelism and len(chunking.chunks) > 1:
        warnings.append(
            f"DAG {dag.name} of {plan.name} has parallelism {dag.parallelism} and is split into "
            f"{len(chunking.chunks)} chunks, which run one at a time so that at most {dag.parallelism} steps run at "
            "once; steps of different chunks never overlap, where Dagster's executor could run them together"
        )
    return warnings
