"""Turns the plain model plus settings into the exact shape the templates render (names, DAGs, step templates)."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compiler.errors import UnsupportedInputError
from compiler.instance_settings import (
    ARGO_UI_URL_ENV,
    INSTANCE_KIND_ENV,
    PG_CONFIG_KEYS,
    PG_PASSWORD_ENV,
    RUN_TAG_ENV,
)
from compiler.model import AssetSpec, Project, RetrySpec
from compiler.naming import CRON_NAME_LIMIT, DEPENDS_RESERVED, NAME_LIMIT, Renaming, assign_names, sanitise, with_hash
from compiler.settings import SecretRef, Settings

MAIN_DAG = "main"
DEFAULT_STEP = "materialize"
ANNOTATION_DOMAIN = "assets.dagster.io"
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


@dataclass(frozen=True)
class Task:
    name: str
    template: str
    asset: str
    depends: tuple[str, ...]

    @property
    def depends_expression(self) -> str:
        return " && ".join(self.depends)


@dataclass(frozen=True)
class Dag:
    name: str
    tasks: tuple[Task, ...]


@dataclass(frozen=True)
class CronPlan:
    name: str
    file_name: str
    schedule: str
    job: str
    crons: tuple[str, ...]
    timezone: str
    entrypoint: str


@dataclass(frozen=True)
class Plan:
    module: str
    settings: Settings
    name: str
    file_name: str
    annotations: tuple[tuple[str, str], ...]
    dags: tuple[Dag, ...]
    steps: tuple[StepTemplate, ...]
    crons: tuple[CronPlan, ...]
    renamings: tuple[Renaming, ...]


def free_text(text: str) -> str:
    """Breaks every `{{`/`}}` so Argo never evaluates user prose; the text stays readable."""
    return re.sub(r"\}(?=\})", "} ", re.sub(r"\{(?=\{)", "{ ", text))


def make_plan(project: Project, settings: Settings) -> Plan:
    task_names, renamings = assign_names(
        (asset.key_path for asset in project.assets),
        limit=NAME_LIMIT,
        fallback="asset",
        what="task name",
        reserved=DEPENDS_RESERVED,
    )
    tasks_by_key = {asset.key: task_names[asset.key_path] for asset in project.assets}
    steps = [
        _step(f"{DEFAULT_STEP}-{tasks_by_key[a.key]}", a, settings) for a in project.assets if a.needs_own_template
    ]
    step_names = {
        asset.key: (f"{DEFAULT_STEP}-{tasks_by_key[asset.key]}" if asset.needs_own_template else DEFAULT_STEP)
        for asset in project.assets
    }
    steps = [_fit_step_name(step) for step in steps]
    step_names = {key: _fit(name) for key, name in step_names.items()}
    if any(not asset.needs_own_template for asset in project.assets):
        steps.insert(0, _step(DEFAULT_STEP, None, settings))

    dags = [_dag(MAIN_DAG, project.assets, tasks_by_key, step_names, None)]
    job_dags: dict[str, str] = {}
    all_keys = {asset.key for asset in project.assets}
    job_names, job_renamings = assign_names(
        {s.job_name for s in project.schedules if s.asset_keys != all_keys}, prefix="job-", what="DAG template"
    )
    renamings.extend(job_renamings)
    for schedule in project.schedules:
        if schedule.asset_keys == all_keys:
            continue
        if schedule.job_name not in job_dags:
            job_dags[schedule.job_name] = job_names[schedule.job_name]
            dags.append(
                _dag(job_names[schedule.job_name], project.assets, tasks_by_key, step_names, schedule.asset_keys)
            )

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
        )
        for s in project.schedules
    )
    return Plan(
        module=project.module,
        settings=settings,
        name=settings.name,
        file_name=f"{settings.name}.workflowtemplate.yaml",
        annotations=_asset_annotations(project.assets, tasks_by_key),
        dags=tuple(dags),
        steps=tuple(steps),
        crons=crons,
        renamings=tuple(renamings),
    )


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
) -> Dag:
    tasks = []
    for asset in assets:
        if selection is not None and asset.key not in selection:
            continue
        deps = [tasks_by_key[dep] for dep in asset.deps if selection is None or dep in selection]
        tasks.append(Task(tasks_by_key[asset.key], step_names[asset.key], asset.key_path, tuple(sorted(deps))))
    return Dag(name, tuple(tasks))


def _step(name: str, asset: AssetSpec | None, settings: Settings) -> StepTemplate:
    env: dict[str, EnvEntry] = {key: EnvEntry(key, value=value) for key, value in settings.env}
    env.update({key: EnvEntry(key, config_map=settings.config_map) for key in settings.config_keys})
    env.update({key: EnvEntry(key, secret=ref) for key, ref in settings.secrets})
    env.update(_instance_env(settings))
    pod = asset.pod if asset else None
    for key, value in pod.env if pod else ():
        if key in env and env[key].value is None:
            raise UnsupportedInputError(
                f"asset {asset.key_path if asset else ''}: dagster-k8s env {key} would replace the "
                "ConfigMap/Secret reference from [tool.compiler]; remove it from the tag"
            )
        env[key] = EnvEntry(key, value=value)
    resources = {k: dict(v) for k, v in settings.defaults.resources.items()}
    for kind, amounts in (pod.resources if pod else {}).items():
        resources[kind] = {**resources.get(kind, {}), **amounts}
    return StepTemplate(
        name=name,
        image=(pod.image if pod and pod.image else settings.image_ref),
        retry=asset.retry if asset else None,
        resources={k: dict(sorted(v.items())) for k, v in sorted(resources.items())},
        env=tuple(env[key] for key in sorted(env)),
        node_selector=pod.node_selector if pod else {},
        tolerations=pod.tolerations if pod else (),
        service_account=pod.service_account if pod else None,
    )


def _asset_annotations(
    assets: tuple[AssetSpec, ...], tasks_by_key: Mapping[tuple[str, ...], str]
) -> tuple[tuple[str, str], ...]:
    """Per-asset description and owners, keyed `<task>.assets.dagster.io/...` because DAG tasks carry no metadata."""
    annotations = []
    for asset in sorted(assets, key=lambda a: tasks_by_key[a.key]):
        prefix = f"{tasks_by_key[asset.key]}.{ANNOTATION_DOMAIN}"
        if asset.description:
            annotations.append((f"{prefix}/description", free_text(asset.description.strip())))
        if asset.owners:
            annotations.append((f"{prefix}/owners", free_text(", ".join(asset.owners))))
    return tuple(annotations)


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
