"""The CronWorkflow `schedules` that make Argo fire at every instant Dagster ticks, daylight-saving days included.

robfig (Argo's cron) never fires a wall time a spring-forward gap skips, where Dagster's scheduler moves that tick
to the first instant after the gap (02:30 → 03:00 in Europe/Vienna); in a fall-back overlap robfig fires twice where
Dagster fires once. No single cron entry is exact, so the CronWorkflow gets Dagster's crons plus one entry per wall
time Dagster moves a tick to, restricted to the months and weekdays (or days of the month) on which that happened in
the checked years (`ticks.CHECK_YEARS`): `30 2 * * *` in Europe/Vienna gets `0 3 * 3 0` (Sundays of March, 03:00).
Such an entry also fires on days Dagster does not tick, and the overlap's second tick stays: the DAG's
`schedule-gate` (compiler/materialize/gate.py) asks Dagster's own tick iterator whether `{{workflow.scheduledTime}}`
is one of its ticks and skips every task when it is not. What no entry can add stays refused with the dates.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from compiler.validate.ticks import CHECK_YEARS, FULL_SPAN_BUDGET, TickDifference, tick_differences

DAYS_PER_WEEKDAY_IN_MONTH = 4.35  # a weekday entry fires on ~4.35 days of each month it names


@dataclass(frozen=True)
class TickCover:
    crons: tuple[str, ...]  # the CronWorkflow's `schedules`: Dagster's own crons, then the added entries
    filtered: bool  # robfig fires where Dagster does not: the schedule gate must skip those ticks
    missing: tuple[TickDifference, ...] = ()  # Dagster ticks no entry makes Argo fire (refused by the caller)


def tick_cover(
    crons: Sequence[str], timezone: str, years: tuple[int, int] = CHECK_YEARS, budget: int = FULL_SPAN_BUDGET
) -> TickCover:
    """Dagster's crons, plus the entries for the instants robfig would miss; `filtered` when the gate is needed.

    Each missed wall time first gets the narrowest entry (its months and weekdays); robfig's own DST handling
    (its day loop steps from a nonexistent midnight back into the previous day; its minute loop restarts the hour
    after an overlap) can skip that too, so a wall time still missed gets the next wider form, checked again."""
    own = tuple(crons)
    differences = tick_differences(own, timezone, years=years, budget=budget)
    missing = [d for d in differences if not d.argo]
    if not missing:
        return TickCover(own, filtered=any(d.argo for d in differences))
    zone = ZoneInfo(timezone)
    moments: dict[tuple[int, int], list[datetime]] = defaultdict(list)
    for difference in missing:
        moment = datetime.fromtimestamp(difference.instant, zone)
        moments[(moment.hour, moment.minute)].append(moment)
    level = dict.fromkeys(moments, 0)
    while True:
        entries = [
            _entry(hour, minute, moments[(hour, minute)], level[(hour, minute)]) for hour, minute in sorted(level)
        ]
        extended = own + tuple(dict.fromkeys(entry for entry in entries if entry not in own))
        after = tick_differences(extended, timezone, own, timezone, years, budget)
        still = [d for d in after if not d.argo]
        wider = {_wall(d, zone) for d in still} & {key for key, value in level.items() if value < len(ENTRY_FORMS) - 1}
        if not still or not wider:
            return TickCover(extended, filtered=any(d.argo for d in after), missing=tuple(still))
        for key in wider:
            level[key] += 1


ENTRY_FORMS = ("days", "hourly on those days", "daily", "hourly")


def _wall(difference: TickDifference, zone: ZoneInfo) -> tuple[int, int]:
    moment = datetime.fromtimestamp(difference.instant, zone)
    return moment.hour, moment.minute


def _entry(hour: int, minute: int, moments: Sequence[datetime], level: int) -> str:
    """The entry of form ENTRY_FORMS[level] firing at every one of `moments` (same wall time): in their months on
    their weekdays (or days of the month, when that names fewer days; robfig ANDs the day fields when one is `*`),
    the same every hour of those days, every day, every hour."""
    if level >= 2:
        return f"{minute} {hour} * * *" if level == 2 else f"{minute} * * * *"
    hours = str(hour) if level == 0 else "*"
    months = _listed(m.month for m in moments) if len({m.month for m in moments}) < 12 else "*"
    weekdays = {(m.weekday() + 1) % 7 for m in moments}  # cron: 0 = Sunday
    days = {m.day for m in moments}
    if len(days) < len(weekdays) * DAYS_PER_WEEKDAY_IN_MONTH:
        return f"{minute} {hours} {_listed(days)} {months} *"
    return f"{minute} {hours} * {months} {_listed(weekdays)}"


def _listed(values: Iterable[int]) -> str:
    return ",".join(str(value) for value in sorted(set(values)))
