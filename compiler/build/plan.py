"""Turns the plain model plus settings into the exact shape the templates render (names, DAGs, step templates)."""

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compiler.build.fan_out import FAN_OUT_PARALLELISM_ENV, Member, group_fan_outs
from compiler.build.fidelity.checks import check_project
from compiler.build.fidelity.container_resources import check_container_resources
from compiler.build.fidelity.schedule_gate import GATE_TEMPLATE_PREFIX, Gate, check_gated_fan_outs, with_gate
from compiler.build.fidelity.secret_scope import needed_env, secrets_for
from compiler.build.fusion import fuse_plan, fusion_requested
from compiler.build.k8s_config import PodExtras
from compiler.build.model import AssetSpec, Project, RetrySpec
from compiler.build.naming import (
    CRON_NAME_LIMIT,
    DEPENDS_RESERVED,
    NAME_LIMIT,
    Renaming,
    assign_names,
    sanitise,
    with_hash,
)
from compiler.build.pod_security import pod_security_for
from compiler.errors import UnsupportedInputError
from compiler.instance_settings import (
    ARGO_UI_URL_ENV,
    INSTANCE_KIND_ENV,
    PG_CONFIG_KEYS,
    PG_PASSWORD_ENV,
    RUN_TAG_ENV,
)
from compiler.settings import SecretRef, Settings

MAIN_DAG = "main"
DEFAULT_STEP = "materialize"
GENERATOR = "dagster-argo-compiler"


@dataclass(frozen=True)
class EnvEntry:
    name: str
    value: str | None = None
    config_map: str | None = None
    secret: SecretRef | None = None


@dataclass(frozen=True)
class StepTemplate:
    name: str
    image: str
    retry: RetrySpec | None
    resources: Mapping[str, Mapping[str, str]]
    env: tuple[EnvEntry, ...]
    node_selector: Mapping[str, str]
    tolerations: tuple[Mapping[str, Any], ...]
    service_account: str | None
    active_deadline_seconds: int
    extras: PodExtras = dataclasses.field(default_factory=PodExtras)
    container_security: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # empty: the default block
    pools: tuple[str, ...] = ()  # Argo semaphores in the <pipeline>-pools ConfigMap (compiler/build/fidelity/pools.py)
    pod_security: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # empty: the workflow's
    fan_out: bool = False  # runs once per static key: takes `static-key` (compiler/build/fan_out.py)
    fused: bool = False  # runs a chain of assets with `materialize --fused` (compiler/build/fusion.py)


@dataclass(frozen=True)
class Task:
    name: str
    template: str
    asset: str
    depends: tuple[str, ...]
    description: str = ""  # the asset's, with `{{`/`}}` broken up; the step puts it on the pod as an annotation
    owners: str = ""
    items: tuple[str, ...] = ()  # a fan-out task: runs the per-key DAG `template` once per item (withItems)
    static_key: bool = False  # an asset task inside a per-key DAG: passes the DAG's `static-key` on
    when: str = ""  # set under a schedule-gate (compiler/build/fidelity/schedule_gate.py)

    @property
    def depends_expression(self) -> str:
        return " && ".join(self.depends)


@dataclass(frozen=True)
class Dag:
    name: str
    tasks: tuple[Task, ...]
    # fan_out_parallelism on a DAG holding fan-out tasks (failFast then off), and/or the executor's max_concurrent
    # (compiler/build/fidelity/executor_concurrency.py): Argo has one number, so the smaller one holds.
    parallelism: int | None = None
    per_key: bool = False  # a per-key DAG: takes `static-key` besides `partition`
    gate: Gate | None = None  # its schedule has code of its own (compiler/build/fidelity/schedule_gate.py)
    fail_fast: bool = True  # off on a DAG holding fan-out tasks: one failing key must not stop the others


@dataclass(frozen=True)
class CronPlan:
    name: str
    file_name: str
    schedule: str
    job: str
    crons: tuple[str, ...]
    timezone: str
    entrypoint: str
    suspended: bool = False


@dataclass(frozen=True)
class Plan:
    module: str
    settings: Settings
    name: str
    file_name: str
    dags: tuple[Dag, ...]
    steps: tuple[StepTemplate, ...]
    crons: tuple[CronPlan, ...]
    renamings: tuple[Renaming, ...]
    gate_step: StepTemplate | None = None  # env, image, resources of the schedule-gate templates
    fusion_notes: tuple[str, ...] = ()  # compiler/build/fusion.py: pairs not fused, and why
    fusion_warnings: tuple[str, ...] = ()


def free_text(text: str) -> str:
    """Breaks every `{{`/`}}` so Argo never evaluates user prose; the text stays readable."""
    return re.sub(r"\}(?=\})", "} ", re.sub(r"\{(?=\{)", "{ ", text))


def make_plan(project: Project, settings: Settings) -> Plan:
    check_project(project, settings)  # IO managers that cannot hand data between pods, unmapped EnvVars
    task_names, renamings = assign_names(
        (asset.task_source for asset in project.assets),
        limit=NAME_LIMIT,
        fallback="asset",
        what="task name",
        reserved=DEPENDS_RESERVED,
    )
    # every key of a multi-asset maps to its op's one task
    tasks_by_key = {key: task_names[asset.task_source] for asset in project.assets for key in asset.all_keys}
    pools = dict(project.fidelity.pools)
    steps, step_names = _shared_steps(project.assets, tasks_by_key, settings, needed_env(project), pools)

    fan_out = settings.fan_out_parallelism
    dags = _dag(MAIN_DAG, project.assets, tasks_by_key, step_names, None, fan_out)
    job_dags: dict[str, str] = {}
    all_keys = set(tasks_by_key)
    job_names, job_renamings = assign_names(
        {s.job_name for s in project.schedules if s.asset_keys != all_keys}, prefix="job-", what="DAG template"
    )
    renamings.extend(job_renamings)
    for schedule in project.schedules:
        if schedule.asset_keys == all_keys:
            continue
        if schedule.job_name not in job_dags:
            job_dags[schedule.job_name] = job_names[schedule.job_name]
            dags.extend(
                _dag(
                    job_names[schedule.job_name], project.assets, tasks_by_key, step_names, schedule.asset_keys, fan_out
                )
            )

    limits = dict(project.fidelity.dag_parallelism)
    by_dag = {name: limits.get(job, limits.get("")) for job, name in job_dags.items()} | {MAIN_DAG: limits.get("")}
    dags = [dataclasses.replace(dag, parallelism=_smaller(dag.parallelism, by_dag.get(dag.name))) for dag in dags]
    gated = {job_dags.get(s.job_name, MAIN_DAG) for s in project.schedules if s.gated}
    nested = {dag.name: ",".join(task.asset for task in dag.tasks) for dag in dags if dag.per_key}
    dags = [
        with_gate(dag, _fit(f"{GATE_TEMPLATE_PREFIX}{dag.name}"), nested) if dag.name in gated else dag for dag in dags
    ]
    by_name = {dag.name: dag for dag in dags}
    check_gated_fan_outs((s, by_name[job_dags.get(s.job_name, MAIN_DAG)]) for s in project.schedules if s.gated)

    cron_sources = {s.name: _cron_source(s.name, settings.name) for s in project.schedules}
    cron_names, cron_renamings = assign_names(cron_sources.values(), limit=CRON_NAME_LIMIT, what="CronWorkflow")
    renamings.extend(cron_renamings)
    crons = tuple(
        CronPlan(
            name=cron_names[cron_sources[s.name]],
            file_name=f"{cron_names[cron_sources[s.name]]}.cronworkflow.yaml",
            schedule=s.name,
            job=s.job_name,
            crons=s.crons,
            timezone=s.timezone,
            entrypoint=job_dags.get(s.job_name, MAIN_DAG),
            suspended=s.stopped,
        )
        for s in project.schedules
    )
    plan = Plan(
        module=project.module,
        settings=settings,
        name=settings.name,
        file_name=f"{settings.name}.workflowtemplate.yaml",
        dags=tuple(dags),
        steps=tuple(steps),
        crons=crons,
        gate_step=_step(DEFAULT_STEP, None, settings, needed_env(project)) if gated else None,
        renamings=tuple(renamings),
    )
    if not fusion_requested(project, settings.fuse_chains):
        return plan
    fused = fuse_plan(plan, project)
    return dataclasses.replace(fused.plan, fusion_notes=fused.notes, fusion_warnings=fused.warnings)


def _shared_steps(
    assets: tuple[AssetSpec, ...],
    tasks_by_key: Mapping[tuple[str, ...], str],
    settings: Settings,
    needed: Mapping[str, frozenset[str]] | None = None,
    pools: Mapping[tuple[str, ...], tuple[str, ...]] | None = None,
) -> tuple[list[StepTemplate], dict[tuple[str, ...], str]]:
    """One step template per distinct set of pod/retry settings, not one per asset: a graph where every asset has
    the same RetryPolicy gets one extra template, not thousands. The default settings keep the name `materialize`;
    other settings are named after the first asset (in topological order) that uses them."""
    default = _step(DEFAULT_STEP, None, settings, needed)
    by_settings: dict[str, StepTemplate] = {_settings_key(default): default}
    used: list[StepTemplate] = []
    step_names: dict[tuple[str, ...], str] = {}
    for asset in assets:
        candidate = _step(f"{DEFAULT_STEP}-{tasks_by_key[asset.key]}", asset, settings, needed)
        in_pools = sorted({pool for key in asset.all_keys for pool in (pools or {}).get(key, ())})
        candidate = dataclasses.replace(candidate, pools=tuple(in_pools)) if in_pools else candidate
        step = by_settings.setdefault(_settings_key(candidate), _fit_step_name(candidate))
        if step not in used:
            used.append(step)
        step_names[asset.key] = step.name
    used.sort(key=lambda step: step.name != DEFAULT_STEP)  # stable: the default first, then first-use order
    return used, step_names


def _settings_key(step: StepTemplate) -> str:
    """Everything but the name, as canonical JSON (the mappings inside are not hashable)."""
    fields = {k: v for k, v in dataclasses.asdict(step).items() if k != "name"}
    return json.dumps(fields, sort_keys=True, default=str)


def _cron_source(schedule: str, pipeline: str) -> str:
    """`<pipeline>-<schedule>`, without repeating the pipeline name when the schedule already starts with it."""
    return schedule if sanitise(schedule).startswith(f"{pipeline}-") else f"{pipeline}-{schedule}"


def _fit(name: str) -> str:
    return name if len(name) <= NAME_LIMIT else with_hash(name, name, NAME_LIMIT)


def _fit_step_name(step: StepTemplate) -> StepTemplate:
    return StepTemplate(**{**step.__dict__, "name": _fit(step.name)})


def _dag(
    name: str,
    assets: tuple[AssetSpec, ...],
    tasks_by_key: Mapping[tuple[str, ...], str],
    step_names: Mapping[tuple[str, ...], str],
    selection: frozenset[tuple[str, ...]] | None,
    fan_out_parallelism: int,
) -> list[Dag]:
    """The DAG, then the per-key DAGs of its fan-outs (compiler/build/fan_out.py)."""
    tasks = []
    members = []
    for asset in assets:
        if selection is not None and selection.isdisjoint(asset.all_keys):
            continue
        deps = {tasks_by_key[dep] for dep in asset.deps if selection is None or dep in selection}
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
        members.append(Member(tasks[-1].name, tasks[-1].depends, asset.fan_out))
    return split_fan_outs(name, tasks, members, fan_out_parallelism)


def _step(
    name: str, asset: AssetSpec | None, settings: Settings, needed: Mapping[str, frozenset[str]] | None = None
) -> StepTemplate:
    env: dict[str, EnvEntry] = {key: EnvEntry(key, value=value) for key, value in settings.env}
    env.update({key: EnvEntry(key, config_map=settings.config_map) for key in settings.config_keys})
    every_key = ["/".join(key) for key in asset.all_keys] if asset else None  # a multi-asset: all its keys
    secrets = secrets_for(settings, every_key, needed)  # all, unless secrets_per_asset
    env.update({key: EnvEntry(key, secret=ref) for key, ref in secrets})
    env.update(_instance_env(settings))
    if asset and asset.fan_out:
        env[FAN_OUT_PARALLELISM_ENV] = EnvEntry(FAN_OUT_PARALLELISM_ENV, value=str(settings.fan_out_parallelism))
    pod = asset.pod if asset else None
    for key, value in pod.env if pod else ():
        if key in env and env[key].value is None:
            raise UnsupportedInputError(
                f"asset {asset.key_path if asset else ''}: dagster-k8s env {key} would replace the "
                "ConfigMap/Secret reference from [tool.compiler]; remove it from the tag"
            )
        env[key] = EnvEntry(key, value=value)
    security = pod_security_for(asset.key_path if asset else "", pod.extras if pod else PodExtras(), env, settings)
    resources = {k: dict(v) for k, v in settings.defaults.resources.items()}
    for kind, amounts in (pod.resources if pod else {}).items():
        resources[kind] = {**resources.get(kind, {}), **amounts}
    check_container_resources(resources, asset.key_path if asset else None, pod.resources if pod else {})
    defaults = settings.defaults
    default_retry = RetrySpec(defaults.retry_limit, defaults.retry_backoff_seconds, 2) if defaults.retry_limit else None
    retry = asset.retry if asset and asset.retry else default_retry
    return StepTemplate(
        name=name,
        image=(pod.image if pod and pod.image else settings.image_ref),
        retry=retry if retry and retry.limit else None,
        resources={k: dict(sorted(v.items())) for k, v in sorted(resources.items())},
        env=tuple(env[key] for key in sorted(env)),
        node_selector=pod.node_selector if pod else {},
        tolerations=pod.tolerations if pod else (),
        service_account=pod.service_account if pod else None,
        active_deadline_seconds=(
            pod.active_deadline_seconds
            if pod and pod.active_deadline_seconds
            else settings.defaults.step_active_deadline_seconds
        ),
        extras=pod.extras if pod else PodExtras(),
        container_security=security[0],
        pod_security=security[1],
        fan_out=bool(asset and asset.fan_out),
    )


def split_fan_outs(name: str, tasks: list[Task], members: list[Member], parallelism: int) -> list[Dag]:
    """Moves each fan-out's asset tasks into a per-key DAG run by one `withItems` task (compiler/build/fan_out.py);
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
    return [Dag(name, tuple(top), parallelism=parallelism, fail_fast=False), *per_key]


def _smaller(*limits: int | None) -> int | None:
    """Argo's DAG has one `parallelism`: of the fan-out bound and the executor's max_concurrent, the smaller holds."""
    given = [limit for limit in limits if limit]
    return min(given) if given else None


def _instance_env(settings: Settings) -> dict[str, EnvEntry]:
    """`[tool.compiler.instance]` postgres: the shared instance's connection and the Argo run tags (see
    compiler/instance_settings.py); nothing for the default throw-away instance."""
    instance = settings.instance
    if instance is None:
        return {}
    entries = [EnvEntry(INSTANCE_KIND_ENV, value=instance.kind), EnvEntry(PG_PASSWORD_ENV, secret=instance.password)]
    entries += [EnvEntry(key, config_map=settings.config_map) for key in PG_CONFIG_KEYS]
    entries += [EnvEntry(variable, value=argo_variable) for variable, argo_variable in RUN_TAG_ENV.values()]
    if instance.argo_ui_url:
        entries.append(EnvEntry(ARGO_UI_URL_ENV, value=instance.argo_ui_url))
    return {entry.name: entry for entry in entries}
