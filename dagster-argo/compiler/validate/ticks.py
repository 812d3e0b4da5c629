"""Do Argo's cron ticks equal Dagster's? Compared over every UTC-offset change of the zone in a fixed span of years.

Argo (robfig/cron, `compiler/validate/robfig.py`) never fires a wall time that a spring-forward gap skips and fires
twice in a fall-back overlap; Dagster's scheduler moves a gap tick to the end of the gap and ticks once in an overlap
(hourly crons excepted). Each pod picks its partition from the tick, so a lost or doubled tick is a partition never
built or built twice. Dagster's side comes from Dagster's own iterator (`schedule_execution_time_iterator`, what
its daemon runs), never a re-implementation.

The span is fixed (`CHECK_YEARS`), not "from now", so a verdict and the manifests never change with the date the
build runs; it covers the years ahead of any build made this decade. Every offset change inside it (read from the tz
database through zoneinfo) gets a window of `WINDOW` on either side; schedules sparse enough are additionally
compared tick by tick over the whole span, which catches differences that are not about daylight saving at all.
"""

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from compiler.validate.robfig import ConstantDelaySchedule, Schedule, argo_schedules, argo_ticks, zone_periods

CHECK_YEARS = (2026, 2045)  # inclusive; fixed so that a build's verdict does not depend on the day it runs
WINDOW = timedelta(hours=50)  # each side of an offset change: covers the day before, the day of and the day after
FULL_SPAN_BUDGET = 15_000  # ticks: below this the whole span is compared, not only the windows


@dataclass(frozen=True)
class TickDifference:
    """One instant (Unix seconds) where the two disagree: `argo` fires there and Dagster does not, or vice versa."""

    instant: int
    argo: bool

    def describe(self, zone: ZoneInfo) -> str:
        moment = datetime.fromtimestamp(self.instant, zone)
        return moment.isoformat(timespec="minutes")


def span(years: tuple[int, int] = CHECK_YEARS) -> tuple[int, int]:
    return (
        int(datetime(years[0], 1, 1, tzinfo=UTC).timestamp()),
        int(datetime(years[1] + 1, 1, 1, tzinfo=UTC).timestamp()),
    )


def offset_changes(timezone: str, start: int, end: int) -> list[int]:
    """Instants in [start, end) at which the zone's UTC offset changes (DST switches and any other change)."""
    return [instant for instant in zone_periods(timezone).starts[1:] if start <= instant < end]


def dagster_ticks(crons: Sequence[str], timezone: str, start: int, end: int) -> list[int]:
    """Instants in (start, end) of the ticks Dagster's scheduler produces for this cron schedule and zone."""
    return list(_dagster_ticks(tuple(crons), timezone, start, end))


@functools.lru_cache(maxsize=8192)  # tick_cover compares the same windows again after adding entries
def _dagster_ticks(crons: tuple[str, ...], timezone: str, start: int, end: int) -> tuple[int, ...]:
    """Dagster's iterator fails an invariant for some starts next to a switch (its daemon starts from its previous
    tick, never there; compiler/materialize/dagster_tick.py): such a start is moved a day earlier."""
    from dagster._check import CheckError

    for days_before in (0, 1, 2, 7):
        try:
            return _dagster_ticks_from(crons, timezone, start - days_before * 86400, start, end)
        except CheckError:
            continue
    return _dagster_ticks_from(crons, timezone, start - 31 * 86400, start, end)


def _dagster_ticks_from(crons: tuple[str, ...], timezone: str, origin: int, start: int, end: int) -> tuple[int, ...]:
    from dagster._utils.schedules import schedule_execution_time_iterator  # Dagster's import costs ~0.5 s

    cron: str | Sequence[str] = crons[0] if len(crons) == 1 else list(crons)
    ticks: list[int] = []
    for moment in schedule_execution_time_iterator(origin, cron, timezone):
        instant = int(moment.timestamp())
        if instant >= end:
            break
        if instant > start:
            ticks.append(instant)
    return tuple(ticks)


def windows(
    schedules: list[Schedule], timezone: str, years: tuple[int, int] = CHECK_YEARS, budget: int = FULL_SPAN_BUDGET
) -> list[tuple[int, int]]:
    """The intervals compared: the whole span when the schedule fires at most `budget` times in it, else ±WINDOW
    per offset change (and the span's first 14 days)."""
    start, end = span(years)
    sample = argo_ticks(schedules, start, start + 14 * 86400)
    if len(sample) * (end - start) / (14 * 86400) <= budget:
        return [(start, end)]
    width = int(WINDOW.total_seconds())
    merged: list[tuple[int, int]] = []
    for change in offset_changes(timezone, start, end):
        low, high = change - width, change + width
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return [(start, start + 14 * 86400), *merged]


def tick_differences(
    crons: Sequence[str],
    timezone: str,
    dagster_crons: Sequence[str] | None = None,
    dagster_timezone: str | None = None,
    years: tuple[int, int] = CHECK_YEARS,
    budget: int = FULL_SPAN_BUDGET,
) -> list[TickDifference]:
    """Every instant in the checked windows where Argo's ticks for `crons` in `timezone` (a CronWorkflow's
    `schedules` and `timezone`) differ from Dagster's ticks for its schedule (by default the same cron and zone)."""
    return list(
        _tick_differences(
            tuple(crons), timezone, tuple(dagster_crons or crons), dagster_timezone or timezone, years, budget
        )
    )


@functools.cache
def _tick_differences(
    crons: tuple[str, ...],
    timezone: str,
    dagster_crons: tuple[str, ...],
    dagster_timezone: str,
    years: tuple[int, int],
    budget: int,
) -> tuple[TickDifference, ...]:
    schedules = argo_schedules(crons, timezone)
    if any(isinstance(schedule, ConstantDelaySchedule) for schedule in schedules):
        return ()  # @every runs relative to the controller's start; Dagster has no such schedule
    differences: list[TickDifference] = []
    for low, high in windows(schedules, timezone, years, budget):
        argo = set(argo_ticks(schedules, low, high))
        dagster = set(dagster_ticks(dagster_crons, dagster_timezone, low, high))
        differences.extend(TickDifference(i, True) for i in argo - dagster)
        differences.extend(TickDifference(i, False) for i in dagster - argo)
    return tuple(sorted(set(differences), key=lambda d: (d.instant, d.argo)))


def affected_dates(differences: Iterable[TickDifference], timezone: str) -> list[str]:
    """Local calendar dates (YYYY-MM-DD) on which the two disagree, in order."""
    zone = ZoneInfo(timezone)
    return sorted({datetime.fromtimestamp(d.instant, zone).date().isoformat() for d in differences})


def explain(name: str, crons: Sequence[str], timezone: str, differences: list[TickDifference]) -> str:
    """The one-paragraph refusal: which schedule, the first dates and ticks affected, and what to change."""
    zone = ZoneInfo(timezone)
    dates = affected_dates(differences, timezone)
    shown: list[str] = []
    for day in dates[:3]:
        argo = [d.describe(zone) for d in differences if d.argo and d.describe(zone).startswith(day)]
        dagster = [d.describe(zone) for d in differences if not d.argo and d.describe(zone).startswith(day)]
        parts = []
        if dagster:
            parts.append(f"Dagster ticks at {', '.join(t[11:] for t in dagster)} where Argo never fires")
        if argo:
            parts.append(f"Argo fires at {', '.join(t[11:] for t in argo)} where Dagster does not")
        shown.append(f"{day}: {' and '.join(parts)}")
    more = f" (and {len(dates) - 3} more dates through {dates[-1]})" if len(dates) > 3 else ""
    cron_text = ", ".join(repr(c) for c in crons)
    near_switch = [d for d in differences if _near_offset_change(timezone, d.instant)]
    if len(near_switch) == len(differences):  # all at clock changes: daylight saving is the cause
        fix = (
            f"Schedule it at a local time the clock changes never skip or repeat ({_switches(timezone, near_switch)})"
            ", or use execution_timezone='UTC'"
        )
    else:
        fix = (
            "The two cron dialects read this cron differently (robfig: a day field starting with '*' or '?', even "
            "'*/1', makes both day fields must-match; otherwise either matches): write it without that ambiguity"
        )
    return (
        f"schedule {name}: Argo's cron (robfig) and Dagster tick differently for {cron_text} in {timezone}, so "
        f"partitions would be skipped or built twice: {'; '.join(shown)}{more}. {fix}"
    )


def _near_offset_change(timezone: str, instant: int) -> bool:
    width = int(WINDOW.total_seconds())
    return any(abs(change - instant) <= width for change in offset_changes(timezone, *span()))


def _switches(timezone: str, differences: list[TickDifference]) -> str:
    """How the wall clock jumps at the offset changes next to the differences, e.g. `02:00→03:00, 03:00→02:00`."""
    zone = ZoneInfo(timezone)
    changes = offset_changes(timezone, *span())
    jumps: list[str] = []
    for difference in differences:
        change = min(changes, key=lambda c: abs(c - difference.instant), default=None)
        if change is None:
            continue
        before = datetime.fromtimestamp(change - 1, zone) + timedelta(seconds=1)
        after = datetime.fromtimestamp(change, zone)
        jump = f"{before:%H:%M}→{after:%H:%M}"
        if jump not in jumps:
            jumps.append(jump)
    return f"clocks in {timezone} jump {', '.join(jumps)}" if jumps else f"see the tz database for {timezone}"
