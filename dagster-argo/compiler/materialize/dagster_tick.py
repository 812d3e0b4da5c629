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
    """Whether Dagster's scheduler ticks `schedule` at `instant` (to the second): its first tick after the second
    before `instant` is `instant` itself."""
    from dagster._utils.schedules import schedule_execution_time_iterator

    second = int(instant.timestamp())
    ticks = schedule_execution_time_iterator(second - 1, schedule.cron_schedule, schedule.execution_timezone or "UTC")
    for tick in ticks:
        moment = int(tick.timestamp())
        if moment >= second:
            return moment == second
    return False
