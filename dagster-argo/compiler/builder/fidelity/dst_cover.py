"""`build` maps every schedule's daylight-saving days exactly: the CronWorkflow gets the cron entries that make Argo
fire at each Dagster tick (compiler/validate/tick_cover.py) and, when Argo then also fires where Dagster does not
(the added entries on ordinary days, robfig's second tick in a fall-back overlap), its DAG gets the `schedule-gate`
task that skips those ticks (compiler/materialize/gate.py asks Dagster's own tick iterator). Only a Dagster tick no
cron entry can make robfig fire is refused, with the dates."""

from collections.abc import Sequence

from compiler.errors import UnsupportedInputError
from compiler.validate.tick_cover import TickCover, tick_cover
from compiler.validate.ticks import explain


def schedule_tick_cover(name: str, crons: Sequence[str], timezone: str) -> TickCover:
    """The CronWorkflow's `schedules` for the schedule `name`; exit 2 naming the dates when no entry is exact."""
    cover = tick_cover(crons, timezone)
    if cover.missing:
        raise UnsupportedInputError(
            explain(name, crons, timezone, list(cover.missing))
            + f" (no cron entry makes Argo's robfig cron fire at these instants; tried {', '.join(cover.crons)})"
        )
    return cover
