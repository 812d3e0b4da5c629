"""A `compiler backfill` of a job whose assets read partitions of another cadence: build those first, each once.

Dagster's asset backfill over a downstream asset and the upstream asset it reads (the hourly readings of a daily
mean, say) materializes every upstream partition the requested downstream partitions map to, each once, and a
downstream partition once the upstream partitions it reads exist. Each job's DAG builds only its own assets (a
Dagster job has one partitions definition, compiler/builder/cadence.py), so the backfill Workflow adds, for every
upstream asset of another cadence that `main` plans (`cadence.plannable`), a planning task over the whole range
(`plan-partitions --start --end`, Dagster's mappings along every path, the union each upstream partition once) and
that asset's step fanned out over its list (`withParam`), after the fan-outs of the assets above it; the
per-partition runs of the job's DAG wait for all of them. The tasks are read off the `main` DAG the plan already
holds, so they name the same step templates and assets as a manual run of `main`. A time × static job's assets are
in its per-key DAGs: read there too, and named after their task in `main`'s per-key DAG; the range is then whole
windows (every static key), so a backfill restricted with `--keys` plans none of them (compiler/builder/backfill.py
warns).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from compiler.builder.naming import fit_name
from compiler.builder.plan_types import MAIN_DAG, PLAN_TEMPLATE, Dag, Plan


@dataclass(frozen=True)
class BackfillTask:
    """A task of the backfill DAG, by templateRef into the WorkflowTemplate: a planning task (`upstream` set; its
    range is the backfill's first and last partition) or an upstream step fanned out over its list."""

    name: str
    template: str
    asset: str  # a planning task: every job asset reading `upstream`, comma-separated
    depends: tuple[str, ...] = ()
    upstream: str = ""
    with_param: str = ""


def upstream_tasks(plan: Plan, entrypoint: str, whole_windows: bool = True) -> tuple[BackfillTask, ...]:
    """The planning and fan-out tasks of a backfill of `entrypoint` (a job DAG), upstream assets in `main`'s
    (topological) order; none when the job reads no partitions of another cadence that `main` plans.
    `whole_windows`: the range is every static key of its windows (no `--keys`), so a time × static job's assets,
    in its per-key DAGs, are planned too (plan-partitions takes the range as keys of the time dimension)."""
    dags = {dag.name: dag for dag in plan.dags}
    main = dags.get(MAIN_DAG)
    if main is None or entrypoint not in dags:
        return ()
    job_assets = _assets(dags, dags[entrypoint], whole_windows)
    plans = [t for t in main.tasks if t.template == PLAN_TEMPLATE and t.upstream != t.asset and t.asset in job_assets]
    if not plans:
        return ()
    own_task: dict[str, str] = {}  # a multi-asset's task, under every key; a fan-out's, under its per-key DAG's
    position: dict[str, int] = {}
    for index, task in enumerate(main.tasks):
        if task.upstream or task.with_param:
            continue
        inner = dags[task.template].tasks if task.items and task.template in dags else (task,)
        for one in inner:
            for key in one.asset.split(","):
                own_task[key], position[key] = one.name, index
    fan_outs = {t.name: t for t in main.tasks if t.with_param}
    planned_by = {t.name: t for t in plans}
    upstream_of = {  # a fan-out task of `main` → the upstream asset it builds
        name: planned_by[task.depends[0]].upstream for name, task in fan_outs.items() if task.depends[0] in planned_by
    }
    order = sorted({t.upstream for t in plans}, key=lambda key: position[key])
    tasks: list[BackfillTask] = []
    for upstream in order:
        readers = sorted({t.asset for t in plans if t.upstream == upstream})
        [fan_out, *_] = [f for name, f in fan_outs.items() if upstream_of.get(name) == upstream]
        above = sorted({upstream_of[d] for f in fan_outs.values() if upstream_of.get(f.name) == upstream
                        for d in f.depends[1:] if d in upstream_of})  # fmt: skip
        planning = fit_name(f"plan-{own_task[upstream]}")
        tasks.append(BackfillTask(planning, PLAN_TEMPLATE, ",".join(readers), upstream=upstream))
        tasks.append(
            BackfillTask(
                fan_out_name(own_task[upstream]),
                fan_out.template,
                fan_out.asset,
                (planning, *(fan_out_name(own_task[key]) for key in above)),
                with_param=f"{{{{tasks.{planning}.outputs.parameters.keys}}}}",
            )
        )
    return tuple(tasks)


def fan_out_name(task: str) -> str:
    """The backfill's task building an upstream asset's partitions (never `partition`, the job's own task)."""
    return fit_name(f"upstream-{task}")


def _assets(dags: Mapping[str, Dag], dag: Dag, per_key: bool) -> set[str]:
    """The asset keys a job DAG's tasks build; with `per_key`, those of its per-key DAGs too (a fan-out task runs
    one per static key)."""
    assets = {key for task in dag.tasks if not task.items for key in task.asset.split(",") if task.asset}
    if per_key:
        for task in dag.tasks:
            if task.items and task.template in dags:
                assets |= _assets(dags, dags[task.template], per_key)
    return assets
