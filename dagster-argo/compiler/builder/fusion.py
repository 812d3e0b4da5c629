"""Step fusion: a linear chain of assets runs as one Argo task, in one pod, with Dagster's in-process executor.

Opt-in (`[tool.compiler] fuse_chains = true`, or the asset tag `argo/fuse = "true"`; `"false"` keeps an asset in a
task of its own). One pod start-up instead of one per asset; the price is coarser retries (Argo retries the fused
task; a retry's pod, told by Argo's `{{retries}}` (`--attempt`), resumes after what this workflow already stored:
compiler/materialize/resume.py) and one pod sized for the chain's hungriest asset. The rules, each checked here
(compiler/README.md "Step fusion"):

- linear: the upstream task's only downstream task is the next asset, whose only upstream task is it (asset deps and
  asset checks' `additional_deps` alike), so fusing never delays or reorders anything outside the chain;
- plain assets: one key per op (multi-assets and graph-backed multi-assets keep their own task);
- the same partitions definition (or none), so one partition key names every asset's partition;
- every job (scheduled or not) selects both assets or neither, so a job DAG never runs part of a chain;
- pods that can merge: the same image, node selector, tolerations, service account, security settings and other
  Kubernetes objects, no variable set to two values; resources are merged key by key to the larger quantity;
- the same retry limit (the attempts Argo may make) and kind (after failures, by a RetryPolicy, or after
  infrastructure faults only): the fused task waits as the most patient policy asks.

Every DAG is fused on its own, per-key DAGs of fan-outs included (compiler/builder/fan_out.py): a chain inside one
runs as one task per static key, keeping `--static-key`. A DAG starting with a schedule-gate is fused too: the
fused task carries the `when` of its members and the gate writes one output for it (compiler/materialize/gate.py,
`--fused`), true iff the tick selects the chain. Two assets that a sampled tick's `asset_selection` splits are not
fused; a rarer tick splitting a fused chain fails the gate with exit 2 (Dagster would run only part of the chain).

A pair that breaks a rule is not fused, with a `note:` line; exit 2 when the user tagged one of them "true".
With neither the setting nor a "true" tag, the plan is returned unchanged: the default output stays byte-identical.
"""

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from compiler.builder.fidelity.container_resources import quantity
from compiler.builder.fidelity.schedule_gate import FUSED, Gate, GateEntry, when_selected
from compiler.builder.model import AssetSpec, Project, RetrySpec
from compiler.builder.naming import NAME_LIMIT, fit_name, with_hash
from compiler.builder.plan_types import Dag, EnvEntry, Plan, StepTemplate, Task
from compiler.errors import UnsupportedInputError
from compiler.settings import Settings

FUSE_TAG = "argo/fuse"
FUSED_STEP = "materialize-fused"
_TRUE, _FALSE = "true", "false"


def read_fuse_tag(name: str, asset_tags: Mapping[str, str], op_tags: Mapping[str, Any]) -> bool | None:
    """The asset's `argo/fuse` tag (asset tags or op tags): True, False, or None when absent."""
    values = {str(tags[FUSE_TAG]).strip().lower() for tags in (asset_tags, op_tags) if FUSE_TAG in tags}
    if not values:
        return None
    if len(values) > 1 or not values <= {_TRUE, _FALSE}:
        raise UnsupportedInputError(
            f'asset {name}: tag {FUSE_TAG} must be "true" or "false" (found {", ".join(sorted(values))}); '
            "set it once, in the asset's tags"
        )
    return values == {_TRUE}


def partitions_identity(partitions_def: Any) -> str | None:
    """Two assets share a partition key space when their definitions are equal; repr carries every field."""
    return None if partitions_def is None else f"{type(partitions_def).__name__}:{partitions_def!r}"


def io_manager_resumable(resources: Mapping[str, Any], assets_def: Any, key: Any) -> bool:
    """False for a single-key asset whose IO manager cannot say when it stored a value (no `stored_at`): a retried
    fused task cannot skip it unless the shared instance answers (compiler/materialize/resume.py). Read while the
    asset is first read (compiler/builder/load.py), so the spec is built once rather than copied per asset."""
    io_key = assets_def.get_io_manager_key_for_asset_key(key)
    return callable(getattr(type(resources.get(io_key)), "stored_at", None))


@dataclass(frozen=True)
class FusionResult:
    plan: Plan
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def fusion_requested(project: Project, fuse_chains: bool) -> bool:
    return fuse_chains or any(asset.fuse for asset in project.assets)


def fuse_plan(plan: Plan, project: Project) -> FusionResult:
    """Rewrites every DAG of `plan` (job DAGs and per-key DAGs alike): each fusable chain's tasks become one task
    running a `--fused` step. Tasks are matched to assets by their asset key; a fan-out's `withItems` task is no
    asset's and never fused, so a chain inside a per-key DAG fuses into one task per static key."""
    by_key = {"/".join(key): asset for asset in project.assets for key in asset.all_keys}
    steps = {step.name: step for step in plan.steps}
    taken = {task.name for dag in plan.dags for task in dag.tasks}
    notes: dict[str, None] = {}
    warnings: dict[str, None] = {}
    fused_steps: dict[str, StepTemplate] = {}
    first_dag: dict[str, Dag] = {}  # each asset task's first DAG: the main DAG or its per-key DAG (every asset)
    chained: set[str] = set()
    fused_by_chain: dict[tuple[str, ...], Task] = {}
    dags = []
    for dag in plan.dags:
        assets_by_task = {
            task.name: by_key[task.asset.split(",")[0]]
            for task in dag.tasks
            if _is_asset_task(task) and not _runs_op_job(task, steps) and not _runs_together(task, steps)
        }
        for name in assets_by_task:
            first_dag.setdefault(name, dag)
        chains = _chains(dag, assets_by_task, steps, project, plan.settings.fuse_chains, notes)
        chained.update(name for chain in chains for name in chain if first_dag[name] is dag)
        fused_name: dict[str, str] = {}
        fused_tasks: dict[str, Task] = {}
        for chain in chains:
            if tuple(chain) not in fused_by_chain:
                fused_by_chain[tuple(chain)] = _fused_task(
                    chain, dag, assets_by_task, steps, plan.settings, taken, fused_steps, warnings
                )
            # one fused task per chain, shared by the DAGs; each DAG's own job (run config: materialize --job)
            job = next(t.job for t in dag.tasks if t.name == chain[0])
            task = dataclasses.replace(fused_by_chain[tuple(chain)], job=job)
            fused_tasks[task.name] = task
            fused_name.update((member, task.name) for member in chain)
        fused_dag = dataclasses.replace(dag, tasks=_fused_dag_tasks(dag.tasks, fused_name, fused_tasks))
        dags.append(_regated(fused_dag, dag.gate, set(fused_tasks)) if dag.gate and fused_tasks else fused_dag)

    for name, dag in first_dag.items():
        asset = by_key[next(t.asset for t in dag.tasks if t.name == name).split(",")[0]]
        if asset.fuse and name not in chained:
            depends = next(t.depends for t in dag.tasks if t.name == name)
            downstream = [t.name for t in dag.tasks if name in t.depends]
            raise UnsupportedInputError(
                f'asset {asset.key_path}: tagged {FUSE_TAG} = "true" but it has no neighbour to fuse with '
                f"({len(depends)} upstream, {len(downstream)} downstream tasks; a chain needs "
                "exactly one of each between its assets, both candidates); remove the tag"
            )
    if not fused_by_chain:
        return FusionResult(plan, tuple(notes))
    used = {task.template for dag in dags for task in dag.tasks}
    kept = [step for step in plan.steps if step.name in used]
    kept += [step for step in fused_steps.values() if step.name in used and step not in kept]
    return FusionResult(dataclasses.replace(plan, dags=tuple(dags), steps=tuple(kept)), tuple(notes), tuple(warnings))


def _is_asset_task(task: Task) -> bool:
    """An asset's task: not a fan-out's `withItems` task (it runs a per-key DAG), a gate's or a check's own."""
    return bool(task.asset) and not task.items and not task.check


def _runs_op_job(task: Task, steps: Mapping[str, StepTemplate]) -> bool:
    """An op job's task (its `asset` names the job): Dagster runs its ops, never fused (op_job_plan.py)."""
    step = steps.get(task.template)
    return step is not None and step.op_job


def _runs_together(task: Task, steps: Mapping[str, StepTemplate]) -> bool:
    """Assets handing values through pod-local storage (pod_local.py): a retry must never resume part-way."""
    step = steps.get(task.template)
    return step is not None and step.together


def _chains(
    dag: Dag,
    assets_by_task: Mapping[str, AssetSpec],
    steps: Mapping[str, StepTemplate],
    project: Project,
    fuse_chains: bool,
    notes: dict[str, None],
) -> list[list[str]]:
    """The fusable chains of one DAG, in topological order, each of two or more asset tasks. Linear within this
    DAG: a per-key DAG holds one fan-out's assets, and tasks outside it wait for the whole fan-out task anyway."""
    tasks = {task.name: task for task in dag.tasks if task.name in assets_by_task}
    downstream: dict[str, list[str]] = {name: [] for name in tasks}
    for task in dag.tasks:  # every task counts: a check's own task or a fan-out task waiting on an asset too
        for dep in task.depends:
            if dep in downstream:
                downstream[dep].append(task.name)

    def candidate(name: str) -> bool:
        tag = assets_by_task[name].fuse
        return tag is True or (fuse_chains and tag is not False)

    next_of: dict[str, str] = {}
    for task in tasks.values():
        if len(task.depends) != 1 or task.depends[0] not in tasks:
            continue
        upstream = task.depends[0]
        if downstream[upstream] != [task.name] or not (candidate(upstream) and candidate(task.name)):
            continue
        up_asset, asset = assets_by_task[upstream], assets_by_task[task.name]
        reason = _refusal(up_asset, asset, project) or _merge_refusal(
            [steps[tasks[upstream].template], steps[task.template]]
        )
        if reason is None:
            next_of[upstream] = task.name
            continue
        line = f"asset {asset.key_path} is not fused with {up_asset.key_path}: {reason}"
        if up_asset.fuse or asset.fuse:
            raise UnsupportedInputError(f'{line}; remove the tag {FUSE_TAG} = "true" or make them match')
        notes[line] = None

    chains: list[list[str]] = []
    for name in tasks:  # topological order: a chain starts at a member with no fused upstream
        if name in next_of and name not in next_of.values():
            chain = [name]
            while chain[-1] in next_of:
                following = next_of[chain[-1]]
                # pairs agree, but a variable set by two members apart (not by the one between) must agree too
                reason = _merge_refusal([steps[tasks[member].template] for member in [*chain, following]])
                if reason is not None:
                    line = f"asset {assets_by_task[following].key_path} is not fused with the chain before it: {reason}"
                    if any(assets_by_task[member].fuse for member in [*chain, following]):
                        raise UnsupportedInputError(f'{line}; remove the tag {FUSE_TAG} = "true" or make them match')
                    notes[line] = None
                    if len(chain) > 1:
                        chains.append(chain)
                    chain = [following]
                    continue
                chain.append(following)
            if len(chain) > 1:
                chains.append(chain)
    return chains


def _fused_task(
    chain: Sequence[str],
    dag: Dag,
    assets_by_task: Mapping[str, AssetSpec],
    steps: Mapping[str, StepTemplate],
    settings: Settings,
    taken: set[str],
    fused_steps: dict[str, StepTemplate],
    warnings: dict[str, None],
) -> Task:
    """The chain's one task and its step (shared with an earlier chain of the same settings). Inside a per-key DAG
    the task passes the DAG's `static-key` on and the step keeps `fan_out` (`--static-key`, FAN_OUT_PARALLELISM)."""
    tasks = {task.name: task for task in dag.tasks}
    name = _fused_task_name(chain, taken)
    taken.add(name)
    step, warning = _merged_step(
        name,
        [steps[tasks[member].template] for member in chain],
        chain,
        assets_by_task,
        settings.defaults.active_deadline_seconds,
    )
    if warning:
        warnings[warning] = None
    default = steps.get("materialize")
    if default is not None and _same_settings(step, dataclasses.replace(default, fused=True)):
        step = dataclasses.replace(step, name=FUSED_STEP)
    for existing in fused_steps.values():
        if _same_settings(existing, step):
            step = existing
    fused_steps[step.name] = step
    unknown = [assets_by_task[m].key_path for m in chain[:-1] if not assets_by_task[m].resumable]
    if unknown and settings.instance is None:
        warnings[
            f"fused task {name}: the IO manager of {', '.join(unknown)} cannot say when it stored a value "
            "(no stored_at) and there is no shared instance: a retry reruns the chain from its first asset"
        ] = None
    members = [tasks[member] for member in chain]
    return Task(
        name,
        step.name,
        ",".join(member.asset for member in members),
        members[0].depends,
        description=" | ".join(f"{m.asset}: {m.description}" for m in members if m.description),
        owners=", ".join(dict.fromkeys(o.strip() for m in members for o in m.owners.split(",") if o.strip())),
        static_key=members[0].static_key,
    )


def _regated(dag: Dag, gate: Gate, fused: set[str]) -> Dag:
    """A DAG gated by `gate`, after fusion: each fused task carries the gate's `when` under its own name and the gate
    writes one output per task, the fused ones marked so that a tick selecting part of a chain fails the gate
    clearly."""
    tasks = tuple(
        dataclasses.replace(task, when=when_selected(gate.task, task.name)) if task.name in fused else task
        for task in dag.tasks
    )
    kept = {entry.task: entry for entry in gate.entries}  # unfused tasks keep theirs (a fan-out's: its per-key DAG)
    entries = tuple(
        GateEntry(task.name, task.asset, FUSED) if task.name in fused else kept[task.name] for task in tasks
    )
    return dataclasses.replace(dag, tasks=tasks, gate=dataclasses.replace(gate, entries=entries))


def _refusal(up: AssetSpec, asset: AssetSpec, project: Project) -> str | None:
    """Why these two assets cannot share a pod, as far as Dagster's definitions go; None when they can."""
    for one in (up, asset):
        if len(one.all_keys) > 1:
            return f"{one.task_source} is a multi-asset (one op, several keys) and keeps its own task"
    if up.partitions != asset.partitions:
        return "their partitions definitions differ"
    for schedule in project.schedules:
        if (up.key in schedule.asset_keys) != (asset.key in schedule.asset_keys):
            return f"schedule {schedule.name} runs one without the other"
    for job in project.jobs:  # an unscheduled job's DAG too: `argo submit --entrypoint job-<job>`
        if (up.key in job.asset_keys) != (asset.key in job.asset_keys):
            return f"job {job.name} runs one without the other"
    for schedule in project.schedules:  # a schedule-gate runs a fused chain whole or not at all
        for tick, keys in schedule.sampled_selections:
            if (up.key in keys) != (asset.key in keys):
                return f"schedule {schedule.name} selects one without the other (asset_selection of its tick at {tick})"
    return None


def _merge_refusal(steps: Sequence[StepTemplate]) -> str | None:
    """Why the pods of these steps cannot become one pod; None when they can (resources merge to the larger)."""
    first = steps[0]
    for step in steps[1:]:
        for field in ("image", "node_selector", "tolerations", "service_account", "extras"):
            if getattr(step, field) != getattr(first, field):
                return f"their dagster-k8s/config {field} differs"
        if (step.container_security, step.pod_security) != (first.container_security, first.pod_security):
            return "their dagster-k8s/config security_context differs"
    env: dict[str, EnvEntry] = {}
    for step in steps:
        for entry in step.env:
            if env.setdefault(entry.name, entry) != entry:
                return f"environment variable {entry.name} has different values"
    for step in steps[1:]:
        if _limit(step.retry) != _limit(first.retry):
            return f"their retry limits differ ({_limit(first.retry)} and {_limit(step.retry)} retries)"
        if step.retry and first.retry and step.retry.failures != first.retry.failures:
            # one retryStrategy: the asset without a RetryPolicy would be retried after failures too, or the other not
            return "one has a RetryPolicy and the other does not (Argo would retry both after a failure, or neither)"
    return None


def _limit(retry: RetrySpec | None) -> int:
    return retry.limit if retry else 0


def _merged_step(
    task: str,
    steps: Sequence[StepTemplate],
    chain: Sequence[str],
    assets: Mapping[str, AssetSpec],
    workflow_deadline: int,
) -> tuple[StepTemplate, str | None]:
    """One pod for the chain: the larger of each resource quantity, every variable, the sum of the attempts' wall
    clock limits (the assets run one after another) capped at the workflow's."""
    first = steps[0]
    env = {entry.name: entry for step in steps for entry in step.env}
    resources: dict[str, dict[str, str]] = {}
    for step in steps:
        for kind, amounts in step.resources.items():
            merged = resources.setdefault(kind, {})
            for resource, text in amounts.items():
                if resource not in merged or (quantity(text) or 0) > (quantity(merged[resource]) or 0):
                    merged[resource] = text
    retry, warning = _merged_retry(task, [step.retry for step in steps], chain, assets)
    deadline = min(sum(step.active_deadline_seconds for step in steps), workflow_deadline)
    step = dataclasses.replace(
        first,
        name=fit_name(f"{FUSED_STEP}-{chain[0]}"),
        retry=retry,
        resources={kind: dict(sorted(amounts.items())) for kind, amounts in sorted(resources.items())},
        env=tuple(env[name] for name in sorted(env)),
        active_deadline_seconds=deadline,
        fused=True,
    )
    return step, warning


def _merged_retry(
    task: str, retries: Sequence[RetrySpec | None], chain: Sequence[str], assets: Mapping[str, AssetSpec]
) -> tuple[RetrySpec | None, str | None]:
    """Same limit (checked before); the waits of the most patient policy, so no asset is retried sooner than asked."""
    present = [retry for retry in retries if retry]
    if not present:
        return None, None
    delays = [retry.delay_seconds for retry in present if retry.delay_seconds]
    factors = [retry.factor for retry in present if retry.factor]
    caps = [retry.cap_seconds for retry in present]
    merged = RetrySpec(
        present[0].limit,
        max(delays) if delays else None,
        max(factors) if factors else None,
        None if None in caps else max(c for c in caps if c is not None),
        failures=present[0].failures,  # the same for every step (checked before)
    )
    if len(set(present)) == 1:
        return merged, None
    differing = [assets[name].key_path for name, retry in zip(chain, retries, strict=True) if retry != merged]
    return merged, (
        f"fused task {task}: one retryStrategy for the chain waits {merged.delay_seconds or 0}s (factor "
        f"{merged.factor or 1}) before any retry, longer than {', '.join(differing)} asked for"
    )


def _same_settings(one: StepTemplate, other: StepTemplate) -> bool:
    return dataclasses.replace(one, name="") == dataclasses.replace(other, name="")


def _fused_task_name(chain: Sequence[str], taken: set[str]) -> str:
    """`<first task>-to-<last task>`, shortened with a hash when too long or already a task's name."""
    source = f"{chain[0]}-to-{chain[-1]}"
    name = fit_name(source)
    return name if name not in taken else with_hash(name, source + "|fused", NAME_LIMIT)


def _fused_dag_tasks(
    tasks: Sequence[Task], fused_name: Mapping[str, str], fused_tasks: Mapping[str, Task]
) -> tuple[Task, ...]:
    """The DAG with each chain's tasks replaced by its fused task (at the first member's place); `depends` renamed."""
    out: list[Task] = []
    placed: set[str] = set()
    for task in tasks:
        name = fused_name.get(task.name)
        if name is None:
            renamed = tuple(sorted({fused_name.get(dep, dep) for dep in task.depends}))
            out.append(dataclasses.replace(task, depends=renamed))
        elif name not in placed:  # the chain's first asset (topological order): its depends in this DAG
            placed.add(name)
            depends = tuple(sorted({fused_name.get(dep, dep) for dep in task.depends}))
            out.append(dataclasses.replace(fused_tasks[name], depends=depends))
    return tuple(out)
