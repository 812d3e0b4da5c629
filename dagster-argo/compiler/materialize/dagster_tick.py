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
    from dagster import ScheduleDefinition


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
