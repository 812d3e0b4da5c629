"""Is this instant one of the Dagster schedule's own ticks? Asked by the `schedule-gate` for every cron tick.

The CronWorkflow of a schedule whose daylight-saving days robfig cannot fire exactly carries extra cron entries
(compiler/validate/tick_cover.py) and keeps robfig's second tick in a fall-back overlap; the gate skips every Argo
tick this answers False for, so the workflows that run are exactly Dagster's ticks. The answer is Dagster's own
iterator (`schedule_execution_time_iterator`, what its daemon runs), never a re-implementation.
"""

from __future__ import annotations  # Dagster's types as annotations only

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dagster import Definitions, ScheduleDefinition


def is_dagster_tick(schedule: ScheduleDefinition, instant: datetime) -> bool:
    """Whether Dagster's scheduler ticks `schedule` at `instant` (to the second): the first tick its iterator yields
    at or after `instant` is `instant` itself. Dagster's iterator fails an invariant for some starts next to a
    switch (its daemon starts from its previous tick, never there), so a start that fails is moved a day earlier."""
    from dagster._check import CheckError

    second = int(instant.timestamp())
    for days_before in (0, 1, 2, 7):
        try:
            return _first_tick_from(schedule, second - 1 - days_before * 86400, second) == second
        except CheckError:
            continue
    return _first_tick_from(schedule, second - 31 * 86400, second) == second


def _first_tick_from(schedule: ScheduleDefinition, start: int, at_least: int) -> int | None:
    from dagster._utils.schedules import schedule_execution_time_iterator

    ticks = schedule_execution_time_iterator(start, schedule.cron_schedule, schedule.execution_timezone or "UTC")
    for tick in ticks:
        moment = int(tick.timestamp())
        if moment >= at_least:
            return moment
    return None


def tick_schedule(defs: Definitions, name: str) -> ScheduleDefinition | None:
    """The Dagster schedule `name`, or for the CronWorkflow of an `AutomationCondition.on_cron` (named by
    compiler/builder/automation.py, found by the same code) a schedule of its cron and zone: `build` checked that
    on_cron's ticks are that schedule's at every daylight-saving switch (compiler/builder/fidelity/on_cron_ticks.py),
    so the gate asks the same iterator. None when neither exists."""
    from dagster import ScheduleDefinition

    repository = defs.get_repository_def()
    if repository.has_schedule_def(name):
        return repository.get_schedule_def(name)
    cron = on_cron_of(defs, name)
    if cron is None:
        return None
    return ScheduleDefinition(name=name, cron_schedule=cron[0], execution_timezone=cron[1], job_name=name)


def on_cron_of(defs: Definitions, name: str) -> tuple[str, str] | None:
    """(cron, zone) of the on_cron CronWorkflow build named `name`, by the builder's own grouping."""
    from compiler.builder.automation import JOB_ROOT_CONDITIONS, _on_cron, automation_schedules
    from compiler.builder.automation_sensors import evaluators
    from compiler.builder.fidelity.schedule_jobs import asset_jobs

    graph = defs.resolve_asset_graph()
    if name.startswith("automation_"):
        for job in asset_jobs(defs):
            condition = job.automation_condition
            operand = getattr(condition, "operand", None)
            if f"automation_{job.name}" == name and type(condition).__name__ in JOB_ROOT_CONDITIONS and operand:
                return _on_cron(operand)
    for spec in automation_schedules(graph, evaluators(defs, graph)) if name.startswith("on_cron_") else ():
        if spec.name == name:
            return spec.crons[0], spec.timezone
    return None
