"""Turns the plain model plus settings into the plan render draws (plan_types.py): names, DAGs, step templates.

Names first (tasks, job DAGs: one `job-<job>` per asset job, scheduled or not, which its CronWorkflows run;
CronWorkflows: naming.py), then one step template per distinct settings (steps.py),
the DAGs with their fan-outs split into per-key DAGs (fan_out.py), schedule-gates where a schedule has code of its
own, and last, when asked for, step fusion (fusion.py).
"""

import dataclasses
from collections.abc import Mapping

from compiler.builder.cadence import planned_tasks
from compiler.builder.check_tasks import check_source, plan_check_tasks
from compiler.builder.dynamic_partitions import check_dynamic, dynamic_tasks
from compiler.builder.events import plan_events
from compiler.builder.exit_handler_plan import with_exit_handler
from compiler.builder.fan_out import Member, group_fan_outs
from compiler.builder.fidelity.checks import check_project
from compiler.builder.fidelity.schedule_gate import GATE_TEMPLATE_PREFIX, check_gated_fan_outs, with_gate
from compiler.builder.fidelity.secret_scope import needed_env
from compiler.builder.freshness_plan import with_freshness
from compiler.builder.fusion import fuse_plan, fusion_requested
from compiler.builder.model import AssetSpec, CheckTask, Project, ScheduleSpec
from compiler.builder.naming import CRON_NAME_LIMIT, DEPENDS_RESERVED, NAME_LIMIT, assign_names, fit_name, sanitise
from compiler.builder.object_fan_out import sensor_entries
from compiler.builder.op_job_plan import op_job_dag, op_job_steps, op_job_warnings
from compiler.builder.plan_types import DEFAULT_STEP, MAIN_DAG, PLAN_TEMPLATE, CronPlan, Dag, Plan, Task, free_text
from compiler.builder.pod_local import join_pod_local
from compiler.builder.run_triggers import with_run_triggers
from compiler.builder.steps import shared_steps, step_template
from compiler.settings import Settings


def filtered_concurrency_policy(schedule: ScheduleSpec, policy: str) -> tuple[str, str]:
    """`Replace` stops the running Workflow when the next tick fires; with added DST entries the next tick is often
    one the schedule-gate skips (e.g. 03:00 every Sunday of March after a 02:30 run), which would stop a real run
    for nothing. Such a CronWorkflow gets `Forbid` (a skip tick during a run is dropped, which changes nothing) and
    a warning. `Forbid` and `Allow` keep their meaning: a skip tick runs only the gate pod."""
    if policy != "Replace" or not schedule.tick_filter:
        return "", ""
    added = schedule.argo_crons[len(schedule.crons) :]
    entries = f"its daylight-saving cron entries ({', '.join(added)}) and " if added else ""
    return "Forbid", (
        f"schedule {schedule.name}: concurrency_policy Replace would let the ticks of {entries}robfig's second "
        "fall-back tick, which the schedule-gate skips, stop a running run; its CronWorkflow uses Forbid"
    )


def make_plan(project: Project, settings: Settings) -> Plan:
    check_project(project, settings)  # pools without a limit, unmapped EnvVars
    check_dynamic(project, settings)  # dynamic partitions: their keys in the shared instance, no schedules yet
    task_names, renamings = assign_names(
        (
            *(asset.task_source for asset in project.assets),
            *(check_source(asset, check) for asset in project.assets for check in asset.check_tasks),
        ),
        limit=NAME_LIMIT,
        fallback="asset",
        what="task name",
        reserved=DEPENDS_RESERVED,
    )
    # every key of a multi-asset maps to its op's one task
    tasks_by_key = {key: task_names[asset.task_source] for asset in project.assets for key in asset.all_keys}
    pools = dict(project.fidelity.pools)
    steps, step_names = shared_steps(project.assets, tasks_by_key, settings, needed_env(project), pools)
    checks = plan_check_tasks(project.assets, task_names, step_names, steps)

    fan_out = settings.fan_out_parallelism
    dags = _dag(MAIN_DAG, project.assets, tasks_by_key, step_names, None, fan_out, checks)
    # every asset job, scheduled or not, every automation condition's job and every new_object_sensor's target
    # (compiler/builder/events.py): its own DAG `job-<job>`
    op_jobs = {job.name: job for job in project.op_jobs}  # one pod each (compiler/builder/op_job_plan.py)
    job_keys = {s.job_name: s.asset_keys for s in project.schedules if s.job_name not in op_jobs}
    job_keys |= {j.name: j.asset_keys for j in project.jobs}
    job_keys |= {t.job_name: t.asset_keys for t in project.object_triggers}
    job_dags, job_renamings = assign_names(sorted({*job_keys, *op_jobs}), prefix="job-", what="DAG template")
    renamings.extend(job_renamings)
    for job in sorted(job_keys):
        job_tasks = _dag(job_dags[job], project.assets, tasks_by_key, step_names, job_keys[job], fan_out, checks)
        dags.extend(_with_job(job_tasks, job) if project.run_config else job_tasks)
    op_steps, op_step_names, own_op_steps = op_job_steps(project.op_jobs, settings)  # compiler/builder/op_pods.py
    dags.extend(
        op_job_dag(job_dags[name], job, op_step_names[name], settings, own_op_steps) for name, job in op_jobs.items()
    )
    steps = [*steps, *op_steps]
    if not project.assets:  # only op jobs: no `main`; the first job's DAG is the entrypoint
        dags = [dag for dag in dags if dag.name != MAIN_DAG]

    limits = dict(project.fidelity.dag_parallelism)
    by_dag = {name: limits.get(job, limits.get("")) for job, name in job_dags.items()} | {MAIN_DAG: limits.get("")}
    dags = [dataclasses.replace(dag, parallelism=_smaller(dag.parallelism, by_dag.get(dag.name))) for dag in dags]
    gated = {job_dags[s.job_name] for s in project.schedules if s.gated}
    selecting = {job_dags[s.job_name] for s in project.schedules if s.selects_part}
    nested = {dag.name: ",".join(task.asset for task in dag.tasks) for dag in dags if dag.per_key}
    dags = [
        with_gate(dag, fit_name(f"{GATE_TEMPLATE_PREFIX}{dag.name}"), nested, selects=dag.name in selecting)
        if dag.name in gated
        else dag
        for dag in dags
    ]
    by_name = {dag.name: dag for dag in dags}
    check_gated_fan_outs((s, by_name[job_dags[s.job_name]]) for s in project.schedules if s.gated)

    cron_sources = {s.name: _cron_source(s.name, settings.name) for s in project.schedules}
    cron_names, cron_renamings = assign_names(cron_sources.values(), limit=CRON_NAME_LIMIT, what="CronWorkflow")
    renamings.extend(cron_renamings)
    crons = tuple(
        CronPlan(
            name=cron_names[cron_sources[s.name]],
            file_name=f"{cron_names[cron_sources[s.name]]}.cronworkflow.yaml",
            schedule=s.name,
            job=s.job_name,
            crons=s.argo_crons or s.crons,
            dagster_crons=s.crons if s.argo_crons else (),
            tick_filter=s.tick_filter,
            timezone=s.timezone,
            entrypoint=job_dags[s.job_name],
            suspended=s.stopped,
            concurrency_policy=filtered_concurrency_policy(s, settings.defaults.concurrency_policy)[0],
            policy_warning=filtered_concurrency_policy(s, settings.defaults.concurrency_policy)[1],
        )
        for s in project.schedules
    )
    plan = Plan(
        location=project.location,
        settings=settings,
        name=settings.name,
        file_name=f"{settings.name}.workflowtemplate.yaml",
        dags=tuple(dags),
        steps=tuple(steps),
        crons=crons,
        gate_step=step_template(DEFAULT_STEP, None, settings, needed_env(project)) if gated else None,
        plan_step=step_template(PLAN_TEMPLATE, None, settings, needed_env(project))
        if any(task.upstream for dag in dags for task in dag.tasks)
        else None,
        renamings=tuple(renamings),
        entrypoint=MAIN_DAG if project.assets else job_dags[min(op_jobs)],
        run_config=project.run_config,
        op_job_warnings=tuple(op_job_warnings(project.op_jobs, settings)),
    )
    if project.object_triggers:  # new_object_sensors → EventSource + Sensor (compiler/builder/events.py)
        # a fanned-out target: the Sensor's own entrypoint runs only the object's item (object_fan_out.py)
        entries, sensor_dags = sensor_entries(project, settings, job_dags, dags)
        plan = dataclasses.replace(
            plan,
            dags=(*plan.dags, *sensor_dags),
            events=plan_events(project, settings, entries, gated),
        )
    joined = join_pod_local(plan, project)  # assets handing values through pod-local storage: one pod
    plan = dataclasses.replace(joined.plan, pod_local_warnings=joined.warnings)
    if fusion_requested(project, settings.fuse_chains):
        fused = fuse_plan(plan, project)
        plan = dataclasses.replace(
            fused.plan,
            fusion_notes=fused.notes,
            fusion_warnings=fused.warnings,
            events=plan.events,
        )
    plan = with_run_triggers(plan, project, job_dags, gated)  # requesting runs: compiler/builder/run_triggers.py
    plan = with_freshness(plan, project)  # freshness-check sensors: compiler/builder/freshness_plan.py
    return with_exit_handler(plan, project, job_dags)  # run status sensors: compiler/builder/exit_handler_plan.py


def _cron_source(schedule: str, pipeline: str) -> str:
    """`<pipeline>-<schedule>`, without repeating the pipeline name when the schedule already starts with it."""
    return schedule if sanitise(schedule).startswith(f"{pipeline}-") else f"{pipeline}-{schedule}"


def _dag(
    name: str,
    assets: tuple[AssetSpec, ...],
    tasks_by_key: Mapping[tuple[str, ...], str],
    step_names: Mapping[tuple[str, ...], str],
    selection: frozenset[tuple[str, ...]] | None,
    fan_out_parallelism: int,
    checks: Mapping[tuple[str, ...], list[tuple[CheckTask, Task]]],
) -> list[Dag]:
    """The DAG, then the per-key DAGs of its fan-outs (compiler/builder/fan_out.py). A check with a task of its own
    follows its asset and its extra dependencies (those in this DAG); a blocking one also holds back the tasks of
    its asset's downstream assets, as Dagster's downstream steps wait for a blocking check."""
    tasks = []
    members = []
    blocking: dict[tuple[str, ...], set[str]] = {}  # checked key → its blocking check tasks in this DAG
    for asset in assets:
        for check, _task in checks.get(asset.key, ()):
            if check.blocking and (selection is None or check.asset in selection):
                blocking.setdefault(check.asset, set()).add(_task.name)
    by_key = {key: asset for asset in assets for key in asset.all_keys}
    listed: dict[str, str] = {}  # a dynamic partitions definition → its planning task in this DAG
    for asset in assets:
        if selection is not None and selection.isdisjoint(asset.all_keys):
            continue
        deps = {tasks_by_key[dep] for dep in asset.deps if selection is None or dep in selection}
        deps |= {task for dep in asset.deps for task in blocking.get(dep, ())}
        if selection is None:  # `main`: plan the upstream partitions of another cadence (compiler/builder/cadence.py)
            for planned in planned_tasks(asset, by_key, tasks_by_key, step_names):
                tasks.append(planned.plan)
                members.append(Member(planned.plan.name, (), None))
                tasks.append(planned.fan_out)
                members.append(Member(planned.fan_out.name, planned.fan_out.depends, None))
                if planned.replaces:  # a direct upstream asset: wait for its fan-out instead of its own task
                    deps = (deps - {planned.replaces}) | {planned.fan_out.name}
        tasks.append(
            Task(
                tasks_by_key[asset.key],
                step_names[asset.key],
                asset.asset_argument(selection),
                tuple(sorted(deps)),
                description=free_text(asset.description.strip()) if asset.description else "",
                owners=free_text(", ".join(asset.owners)),
            )
        )
        if asset.dynamic_partitions:  # keys read from the instance by a planning task (dynamic_partitions.py)
            listing, tasks[-1] = dynamic_tasks(asset, tasks[-1], listed)
            if listing is not None:
                tasks.insert(-1, listing)
                members.append(Member(listing.name, (), None))
        members.append(Member(tasks[-1].name, tasks[-1].depends, asset.fan_out))
        for check, task in checks.get(asset.key, ()):
            if selection is not None and check.asset not in selection:
                continue
            check_deps = {tasks[-1].name} | {
                tasks_by_key[dep] for dep in check.deps if selection is None or dep in selection
            }
            tasks.append(dataclasses.replace(task, depends=tuple(sorted(check_deps))))
            members.append(Member(task.name, tasks[-1].depends, None))
    return split_fan_outs(name, tasks, members, fan_out_parallelism)


def split_fan_outs(name: str, tasks: list[Task], members: list[Member], parallelism: int) -> list[Dag]:
    """Moves each fan-out's asset tasks into a per-key DAG run by one `withItems` task (compiler/builder/fan_out.py);
    a DAG without fan-out stays exactly as it was."""
    groups, outer = group_fan_outs(name, members)
    if not groups:
        return [Dag(name, tuple(tasks))]
    by_name = {task.name: task for task in tasks}
    grouped = {member: group for group in groups for member in group.members}
    top: list[Task] = []
    for task in tasks:
        group = grouped.get(task.name)
        if group is None:
            top.append(dataclasses.replace(task, depends=tuple(sorted({outer[d] for d in task.depends}))))
        elif task.name == group.members[0]:
            top.append(Task(group.task, group.template, "", group.depends, items=group.keys))
    per_key = [
        Dag(
            group.template,
            tuple(
                dataclasses.replace(
                    by_name[member],
                    depends=tuple(d for d in by_name[member].depends if d in group.members),
                    static_key=True,
                )
                for member in group.members
            ),
            per_key=True,
        )
        for group in groups
    ]
    return [Dag(name, tuple(top), parallelism=parallelism), *per_key]


def _with_job(dags: list[Dag], job: str) -> list[Dag]:
    """Each asset task of a job's DAGs names the job, whose run config its pod builds (materialize --job)."""
    return [
        dataclasses.replace(
            dag, tasks=tuple(task if task.items else dataclasses.replace(task, job=job) for task in dag.tasks)
        )
        for dag in dags
    ]


def _smaller(*limits: int | None) -> int | None:
    """Argo's DAG has one `parallelism`: of the fan-out bound and the executor's max_concurrent, the smaller holds."""
    given = [limit for limit in limits if limit]
    return min(given) if given else None
