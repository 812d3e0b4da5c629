"""Plans the freshness-check sensors (compiler/builder/freshness.py): one DAG `freshness-<sensor>` each, running the
`freshness-checks` pod (the default step's image and env, so the shared instance's connection), and one CronWorkflow
each starting that DAG on the sensor's cron, suspended like a STOPPED sensor (Dagster's default)."""

import dataclasses

from compiler.builder.fidelity.secret_scope import needed_env
from compiler.builder.freshness import FRESHNESS_STEP, require_shared_instance
from compiler.builder.model import Project
from compiler.builder.naming import CRON_NAME_LIMIT, assign_names, sanitise
from compiler.builder.plan_types import CronPlan, Plan
from compiler.builder.steps import step_template

UTC = "UTC"  # an interval has no time zone; UTC has no daylight-saving switch to skip or double a tick


def with_freshness(plan: Plan, project: Project) -> Plan:
    """The plan with its freshness CronWorkflows and pod settings; unchanged without freshness-check sensors."""
    sensors = project.freshness_sensors
    if not sensors:
        return plan
    require_shared_instance(sensors, plan.settings.instance is not None)
    sources = {s.name: _source(s.name, plan.name) for s in sensors}
    names, renamings = assign_names(sources.values(), limit=CRON_NAME_LIMIT, what="CronWorkflow")
    freshness = tuple(
        (
            sensor,
            CronPlan(
                name=names[sources[sensor.name]],
                file_name=f"{names[sources[sensor.name]]}.cronworkflow.yaml",
                schedule=sensor.name,
                job=sensor.dag,
                crons=(sensor.cron,),
                timezone=UTC,
                entrypoint=sensor.dag,
                suspended=sensor.stopped,
            ),
        )
        for sensor in sensors
    )
    step = step_template(FRESHNESS_STEP, None, plan.settings, needed_env(project))
    renamed = (*plan.renamings, *renamings)  # a long or colliding sensor name, reported like the others
    return dataclasses.replace(plan, freshness=freshness, freshness_step=step, renamings=renamed)


def _source(sensor: str, pipeline: str) -> str:
    """`<pipeline>-<sensor>`, without repeating the pipeline name when the sensor's already starts with it."""
    return sensor if sanitise(sensor).startswith(f"{pipeline}-") else f"{pipeline}-{sensor}"
