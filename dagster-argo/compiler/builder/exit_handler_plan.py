"""Plans the exit handler of alert-only run status sensors (compiler/builder/exit_handlers.py): its tasks, one per
(sensor, DAG running a monitored job), and the settings of its pod (the default step's image and env)."""

import dataclasses
from collections.abc import Mapping

from compiler.builder.exit_handlers import EXIT_STEP, exit_tasks, job_entrypoints
from compiler.builder.fidelity.secret_scope import needed_env
from compiler.builder.model import Project
from compiler.builder.plan_types import MAIN_DAG, Plan
from compiler.builder.steps import step_template


def with_exit_handler(plan: Plan, project: Project, job_dags: Mapping[str, str]) -> Plan:
    """The plan with `exit_tasks` set when the project has run status sensors; unchanged otherwise."""
    if not project.status_alerts:
        return plan
    sensor_dags = {
        event.entrypoint: trigger.job_name
        for event in plan.events
        for trigger in project.object_triggers
        if trigger.spec.name == event.sensor and event.entrypoint not in job_dags.values()
    }
    tasks = exit_tasks(project.status_alerts, job_entrypoints(job_dags, sensor_dags, MAIN_DAG))
    step = step_template(EXIT_STEP, None, plan.settings, needed_env(project))
    return dataclasses.replace(plan, exit_tasks=tasks, exit_step=step)
