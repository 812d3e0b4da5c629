"""Assets that hand values through pod-local storage run in one pod, as Dagster runs them on one machine.

An asset loading its upstream's value (an input, not `deps=`) through Dagster's default filesystem IO manager, a
filesystem IO manager on a pod-local path or an in-memory IO manager (compiler/builder/fidelity/io_handoff.py) finds
the value only where the upstream's step stored it: on the machine (or in the process) of the run. Each Argo pod has
its own disk and memory, so the assets such handoffs connect (a connected component, per DAG) become one task whose
pod materializes them together in one Dagster run (`materialize --asset a,b,c --fused`: the in-process executor, in
Dagster's order, one instance and one storage directory), exactly as Dagster's executor on one machine hands the
values. What the user gives up, said once per component in a `warning:`: those assets run one at a time in one pod,
not in parallel, Argo retries the pod as a whole (never resuming part-way: the values of a failed pod are gone), and
a task outside waiting for only some of them waits for all of them.

Convexity: a task on a path between two members (e.g. a `deps=` neighbour) joins the component, or the DAG would have
a cycle. Refused (exit 2, naming the handoff, the reason and the shared IO manager to use instead): a handoff whose
upstream is not in the DAG at all (a job selecting only the downstream asset, a fan-out's per-key DAG reading an
asset outside it: no pod of that Workflow holds the value) and components one pod cannot honour (different partitions
definitions, pod settings or retry policies, a non-asset task between members, a sampled schedule tick selecting part
of it). Step fusion (compiler/builder/fusion.py) never fuses such a task further.
"""

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from compiler.builder.fidelity.io_handoff import handoff_words, unshared_handoffs
from compiler.builder.fusion import _merge_refusal, _merged_step, _regated, _same_settings
from compiler.builder.model import AssetSpec, IOHandoff, Project, RetrySpec
from compiler.builder.naming import NAME_LIMIT, fit_name, with_hash
from compiler.builder.plan_types import DEFAULT_STEP, Dag, Plan, StepTemplate, Task
from compiler.errors import UnsupportedInputError

TOGETHER_STEP = "materialize-together"


@dataclass(frozen=True)
class PodLocalResult:
    plan: Plan
    warnings: tuple[str, ...] = ()


def join_pod_local(plan: Plan, project: Project) -> PodLocalResult:
    """Every DAG of `plan` with each component of pod-local handoffs replaced by one task; the plan unchanged when the
    project has none (the output stays byte-identical)."""
    handoffs = unshared_handoffs(project.fidelity.io_handoffs, plan.settings)
    if not handoffs:
        return PodLocalResult(plan)
    by_key = {"/".join(key): asset for asset in project.assets for key in asset.all_keys}
    steps = {step.name: step for step in plan.steps}
    taken = {task.name for dag in plan.dags for task in dag.tasks}
    made: dict[tuple[str, ...], Task] = {}
    new_steps: dict[str, StepTemplate] = {}
    warnings: dict[str, None] = {}
    dags = []
    for dag in plan.dags:
        components = _components(dag, handoffs, by_key, steps, project)
        if not components:
            dags.append(dag)
            continue
        renamed: dict[str, str] = {}
        joined: dict[str, Task] = {}
        for members, firsts in components:
            if members not in made:
                made[members] = _joined_task(members, dag, by_key, steps, plan, taken, new_steps)
                warnings[_warning(firsts, members, made[members], dag)] = None
            job = next(task.job for task in dag.tasks if task.name == members[0])
            task = dataclasses.replace(made[members], job=job)
            joined[task.name] = task
            renamed.update((member, task.name) for member in members)
        rewritten = dataclasses.replace(dag, tasks=_rewritten_tasks(dag.tasks, renamed, joined))
        dags.append(_regated(rewritten, dag.gate, set(joined)) if dag.gate else rewritten)
    used = {task.template for dag in dags for task in dag.tasks}
    kept = [step for step in plan.steps if step.name in used]
    kept += [step for step in new_steps.values() if step.name in used and step not in kept]
    return PodLocalResult(dataclasses.replace(plan, dags=tuple(dags), steps=tuple(kept)), tuple(warnings))


def _asset_tasks(dag: Dag, steps: Mapping[str, StepTemplate]) -> dict[str, Task]:
    """The DAG's tasks that materialize assets: not a fan-out's `withItems` task, a check's or an op job's own."""
    return {
        task.name: task
        for task in dag.tasks
        if task.asset and not task.items and not task.check and not getattr(steps.get(task.template), "op_job", True)
    }


def _components(
    dag: Dag,
    handoffs: Sequence[tuple[IOHandoff, str]],
    by_key: Mapping[str, AssetSpec],
    steps: Mapping[str, StepTemplate],
    project: Project,
) -> list[tuple[tuple[str, ...], tuple[IOHandoff, str]]]:
    """The DAG's components (task names in DAG order), each with the first handoff that joined it."""
    asset_tasks = _asset_tasks(dag, steps)
    task_of = {key: name for name, task in asset_tasks.items() for key in task.asset.split(",")}
    parent: dict[str, str] = {}

    def root(name: str) -> str:
        while parent.get(name, name) != name:
            name = parent[name]
        return name

    first: dict[str, tuple[IOHandoff, str]] = {}
    for handoff, why in handoffs:
        down = task_of.get(handoff.asset)
        if down is None:
            continue  # not this DAG's asset
        up = task_of.get(handoff.upstream)
        if up is None:
            raise UnsupportedInputError(f"{handoff_words(handoff)}, {why}; {_apart(dag, handoff)}")
        if not handoff.same_partition:
            raise UnsupportedInputError(
                f"{handoff_words(handoff)}, {why}; otherwise one pod would have to hold it, but {handoff.asset} reads "
                f"other partitions of {handoff.upstream} than the one its run materializes (its partition mapping), "
                "which only the pods of other runs held"
            )
        if up == down:
            continue  # one op (a multi-asset, a graph): one pod already
        for name in (up, down):
            parent.setdefault(name, name)
        a, b = root(up), root(down)
        if a != b:
            parent[b] = a
        first.setdefault(root(up), (handoff, why))
    if not parent:
        return []
    order = [task.name for task in dag.tasks]
    edges = _Edges.of(dag)
    groups = _convex({name: root(name) for name in parent}, edges)

    def misfit(members: set[str]) -> str | None:
        """Why one pod cannot run these tasks; None when it can."""
        outsiders = sorted(name for name in members if name not in asset_tasks)
        if outsiders:
            return f"task {outsiders[0]} (no asset's step) lies between them"
        assets = [by_key[asset_tasks[m].asset.split(",")[0]] for m in members]
        return _refusal(assets, members, asset_tasks, project) or _merge_refusal(  # retries: Dagster's, in the pod
            [dataclasses.replace(steps[asset_tasks[m].template], retry=None) for m in sorted(members, key=order.index)]
        )

    found = []
    for members in groups:
        handoff, why = next(first[name] for name in sorted(members, key=order.index) if name in first)
        reason = misfit(members)
        if reason:
            _refuse(handoff, why, members, reason)
        others = set().union(*(group for group in groups if group is not members))
        members = _absorb_waiting(members, others, edges, order, misfit)
        found.append((tuple(sorted(members, key=order.index)), (handoff, why)))
    return sorted(found, key=lambda item: order.index(item[0][0]))


@dataclass(frozen=True)
class _Edges:
    downstream: Mapping[str, set[str]]
    upstream: Mapping[str, set[str]]

    @staticmethod
    def of(dag: Dag) -> "_Edges":
        downstream: dict[str, set[str]] = {task.name: set() for task in dag.tasks}
        for task in dag.tasks:
            for dep in task.depends:
                downstream.setdefault(dep, set()).add(task.name)
        return _Edges(downstream, {task.name: set(task.depends) for task in dag.tasks})

    def closure(self, group: set[str]) -> set[str]:
        """`group` with every task on a path between two of its members: a component merged into one task must not
        wait for a task that waits for it."""
        grown = set(group)
        while True:
            between = (_reach(grown, self.downstream) & _reach(grown, self.upstream)) - grown
            if not between:
                return grown
            grown |= between


def _convex(roots: Mapping[str, str], edges: _Edges) -> list[set[str]]:
    """The components, each closed under paths between its members, those that grew into each other merged."""
    groups: dict[str, set[str]] = {}
    for name, group in roots.items():
        groups.setdefault(group, set()).add(name)
    merged = [edges.closure(group) for group in groups.values()]
    changed = True
    while changed:
        changed = False
        for i, one in enumerate(merged):
            other = next((j for j, two in enumerate(merged) if j > i and one & two), None)
            if other is not None:
                merged[i] = edges.closure(one | merged.pop(other))
                changed = True
                break
    return merged


def _absorb_waiting(
    members: set[str], others: set[str], edges: _Edges, order: Sequence[str], misfit: Callable[[set[str]], str | None]
) -> set[str]:
    """The component grown by the asset tasks that wait for only part of it (e.g. a `deps=` neighbour of its first
    asset), when one pod can run them too: Dagster runs such an asset as soon as its own upstream assets succeed, so
    in the pod it runs in the same Dagster run and a failure elsewhere in the component does not stop it. Those one
    pod cannot take keep their task and are named in the warning (`_waiting_on_part`)."""
    while True:
        for name in _waiting_on_part(sorted(members, key=order.index), edges):
            trial = edges.closure(members | {name})
            if not trial & others and misfit(trial) is None:
                members = trial
                break
        else:
            return members


def _reach(start: Iterable[str], edges: Mapping[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = [n for name in start for n in edges.get(name, ())]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(edges.get(name, ()))
    return seen


def _apart(dag: Dag, handoff: IOHandoff) -> str:
    """Why the upstream's value is not in this Workflow's reach: the DAG runs the downstream asset without it."""
    if dag.name.startswith("job-"):
        return f"DAG {dag.name} runs {handoff.asset} without {handoff.upstream}, so no pod of it holds the value"
    if dag.per_key:
        return (
            f"{handoff.asset} runs once per static key in DAG {dag.name}, apart from {handoff.upstream}, so no pod "
            "of it holds the value"
        )
    return f"DAG {dag.name} runs {handoff.asset} in another task than {handoff.upstream}"


def _refusal(
    assets: Sequence[AssetSpec], members: Iterable[str], tasks: Mapping[str, Task], project: Project
) -> str | None:
    """Why these assets cannot be one Dagster run in one pod; None when they can."""
    if len({asset.partitions for asset in assets}) > 1:
        return "their partitions definitions differ (one Dagster run materializes one partition key)"
    planned = sorted(m for m in members if tasks[m].with_param)
    if planned:
        return f"task {planned[0]} runs once per partition a planning task lists (withParam), its own fan-out"
    keys = {key for asset in assets for key in asset.all_keys}
    for schedule in project.schedules:  # a schedule-gate runs the task whole or not at all
        for tick, selected in schedule.sampled_selections:
            if keys & set(selected) and not keys <= set(selected):
                return f"schedule {schedule.name} selects only some of them (asset_selection of its tick at {tick})"
    return None


def _refuse(handoff: IOHandoff, why: str, members: Iterable[str], reason: str) -> None:
    raise UnsupportedInputError(
        f"{handoff_words(handoff)}, {why}; otherwise tasks {', '.join(sorted(members))} must run in one pod, which "
        f"they cannot: {reason}"
    )


def _joined_task(
    members: Sequence[str],
    dag: Dag,
    by_key: Mapping[str, AssetSpec],
    steps: Mapping[str, StepTemplate],
    plan: Plan,
    taken: set[str],
    new_steps: dict[str, StepTemplate],
) -> Task:
    """The component's one task and its pod: fusion's merge of the members' pods (larger resources, every variable),
    never resuming part-way. Retries are Dagster's: its executor retries each asset by its own RetryPolicy inside
    the pod (`--dagster-retries`), as on one machine; Argo retries the pod after infrastructure faults only (and
    failures too under `retry_failures` when no member has a policy)."""
    tasks = {task.name: task for task in dag.tasks}
    source = f"{members[0]}-to-{members[-1]}"
    name = fit_name(source)
    if name in taken:
        name = with_hash(name, source + "|together", NAME_LIMIT)
    taken.add(name)
    assets = {m: by_key[tasks[m].asset.split(",")[0]] for m in members}
    member_steps = [steps[tasks[m].template] for m in members]
    defaults = plan.settings.defaults
    step, _ = _merged_step(name, [dataclasses.replace(s, retry=None) for s in member_steps], members, assets, 0)
    # each attempt Dagster makes in the pod may take its asset's whole deadline
    limits = [retry.limit if (retry := assets[m].retry) else 0 for m in members]
    attempts = [s.active_deadline_seconds * (1 + limit) for s, limit in zip(member_steps, limits, strict=True)]
    policies = any(assets[m].retry for m in members)
    retry = (  # Dagster retries failures by RetryPolicy in the pod; Argo, infrastructure faults (retry.py's default)
        RetrySpec(
            defaults.retry_limit,
            defaults.retry_backoff_seconds,
            2,
            failures=defaults.retry_failures and not policies,
        )
        if defaults.retry_limit
        else None
    )
    step = dataclasses.replace(
        step, retry=retry, active_deadline_seconds=min(sum(attempts), defaults.active_deadline_seconds)
    )
    step = dataclasses.replace(step, name=fit_name(f"{TOGETHER_STEP}-{members[0]}"), together=True)
    default = steps.get(DEFAULT_STEP)
    if default is not None and _same_settings(step, dataclasses.replace(default, fused=True, together=True)):
        step = dataclasses.replace(step, name=TOGETHER_STEP)
    same = next((existing for existing in new_steps.values() if _same_settings(existing, step)), None)
    if same is not None:
        step = same
    elif step.name in new_steps or step.name in steps:  # another component's pod (or a step) of other settings
        step = dataclasses.replace(step, name=with_hash(step.name, ",".join(members) + "|together", NAME_LIMIT))
    new_steps[step.name] = step
    rows = [tasks[m] for m in members]
    return Task(
        name,
        step.name,
        ",".join(row.asset for row in rows),
        (),  # per DAG: what its members depend on outside it there (_rewritten_tasks)
        description=" | ".join(f"{row.asset}: {row.description}" for row in rows if row.description),
        owners=", ".join(dict.fromkeys(o.strip() for row in rows for o in row.owners.split(",") if o.strip())),
        static_key=rows[0].static_key,
    )


def _warning(firsts: tuple[IOHandoff, str], members: Sequence[str], task: Task, dag: Dag) -> str:
    handoff, why = firsts
    assets = task.asset.replace(",", ", ")
    waiting = _waiting_on_part(members, _Edges.of(dag))
    wait = (
        f"; tasks {', '.join(waiting)} wait for the whole pod, so a failure of any of its assets stops them, where "
        "Dagster runs them once their own upstream assets succeed"
        if waiting
        else ""
    )
    return (
        f"{handoff_words(handoff)}, {why}; as it is, assets {assets} run together in one pod (task {task.name}): one "
        f"Dagster run as on one machine: one asset at a time, not in parallel pods, and a lost pod reruns all of them "
        f"(Dagster still retries each by its RetryPolicy){wait}"
    )


def _waiting_on_part(members: Sequence[str], edges: _Edges) -> list[str]:
    """Tasks outside the component that depend on members which are not downstream of every other member: Dagster
    would run them as soon as those members succeeded, Argo after the whole pod did."""
    inside = set(members)
    upstream = {m: edges.upstream.get(m, set()) & inside for m in members}
    ancestors = {m: _reach([m], upstream) | {m} for m in members}
    found = []
    for name in sorted(set().union(*(edges.downstream.get(m, set()) for m in members)) - inside):
        read = edges.upstream.get(name, set()) & inside
        if set().union(*(ancestors[m] for m in read)) != inside:
            found.append(name)
    return found


def _rewritten_tasks(tasks: Sequence[Task], renamed: Mapping[str, str], joined: Mapping[str, Task]) -> tuple[Task, ...]:
    """The DAG with each component's tasks replaced by its one task, `depends` renamed (a joined task's: what its
    members depend on outside it in this DAG), in a topological order that keeps the original one wherever it can
    (the joined task takes its last member's place)."""
    rows: list[Task] = []
    last = {name: member for member, name in renamed.items()}  # each joined task's last member in DAG order
    outside: dict[str, set[str]] = {name: set() for name in joined}
    for task in tasks:
        if task.name in renamed:
            outside[renamed[task.name]].update(renamed.get(dep, dep) for dep in task.depends)
    for task in tasks:
        name = renamed.get(task.name)
        if name is None:
            depends = tuple(sorted({renamed.get(dep, dep) for dep in task.depends}))
            rows.append(dataclasses.replace(task, depends=depends))
        elif task.name == last[name]:
            rows.append(dataclasses.replace(joined[name], depends=tuple(sorted(outside[name] - {name}))))
    return _topological(rows)


def _topological(rows: Sequence[Task]) -> tuple[Task, ...]:
    """Kahn's order, always taking the earliest ready task: the input order where it already is topological."""
    names = {task.name for task in rows}
    done: set[str] = set()
    out: list[Task] = []
    pending = list(rows)
    while pending:
        index = next((i for i, task in enumerate(pending) if all(d in done or d not in names for d in task.depends)), 0)
        task = pending.pop(index)
        done.add(task.name)
        out.append(task)
    return tuple(out)
