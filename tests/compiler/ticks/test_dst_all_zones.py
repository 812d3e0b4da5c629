"""Issue 26 item 1: for every zone of the tz database with a UTC-offset change in 2026-2030, every half hour of the
day (and the quarter hours where a switch is not on the hour), Argo's ticks for the compiled `schedules` (robfig,
compiler/validate/robfig.py), less the ticks the schedule-gate skips, are exactly Dagster's ticks.

Dagster's side is Dagster's own iterator; the zones and their changes are read from zoneinfo here. Only the 50
hours either side of each change (`ticks.WINDOW`) are compared: elsewhere both read the same wall clock the same way
(test_tick_equivalence.py compares whole years). Zones whose changes happen at the same local wall times with the
same jumps (Europe/Vienna and Europe/Berlin) have the same local ticks in both cron implementations, so each such
group is computed once, for its first zone; the grouping itself is computed from zoneinfo here.
"""

import zoneinfo
from collections import defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from compiler.validate.robfig import argo_schedules, argo_ticks
from compiler.validate.tick_cover import tick_cover
from compiler.validate.ticks import dagster_ticks, offset_changes, span, windows

YEARS = (2026, 2030)
Signature = tuple[tuple[datetime, int], ...]


def _offset(zone: ZoneInfo, unix: int) -> int:
    return int(datetime.fromtimestamp(unix, zone).utcoffset().total_seconds())  # type: ignore[union-attr]


def _changes(timezone: str, start: int, end: int) -> list[int]:
    """The zone's offset changes in [start, end), from zoneinfo: sampled daily (no zone changes twice in a day),
    each bisected to the second."""
    zone = ZoneInfo(timezone)
    changes = []
    previous, before = start, _offset(zone, start)
    for probe in range(start + 86400, end + 86400, 86400):
        after = _offset(zone, probe)
        if after != before:
            low, high = previous, probe
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if _offset(zone, middle) == before else (low, middle)
            changes.append(high)
        previous, before = probe, after
    return changes


def _signature(timezone: str, changes: list[int]) -> Signature:
    """Each change as (local wall time just before it, jump in seconds): all a local-time cron can observe."""
    zone = ZoneInfo(timezone)
    return tuple(
        (
            datetime.fromtimestamp(c + _offset(zone, c - 1), UTC).replace(tzinfo=None),
            _offset(zone, c) - _offset(zone, c - 1),
        )
        for c in changes
    )


def _zones_by_signature() -> dict[Signature, list[str]]:
    start, end = span(YEARS)
    groups: dict[Signature, list[str]] = defaultdict(list)
    for timezone in sorted(zoneinfo.available_timezones()):
        changes = _changes(timezone, start, end)
        if changes:
            groups[_signature(timezone, changes)].append(timezone)
    return groups


def _times_of_day(signature: Signature) -> list[tuple[int, int]]:
    """Every half hour; every quarter hour when a switch is not on the hour or jumps by a part of an hour."""
    quarters = any(before.minute or jump % 3600 for before, jump in signature)
    step = 15 if quarters else 30
    return [(minute // 60, minute % 60) for minute in range(0, 24 * 60, step)]


def test_every_dst_zone_every_time_of_day_fires_exactly_dagsters_ticks() -> None:
    groups = _zones_by_signature()
    assert "Europe/Vienna" in groups[next(s for s, zones in groups.items() if "Europe/Berlin" in zones)]
    assert sum(len(zones) for zones in groups.values()) > 100  # the tz database's DST zones, not a handful
    start, end = span(YEARS)
    failures: list[str] = []
    compared = 0
    for zones in groups.values():
        timezone = zones[0]
        changes = offset_changes(timezone, start, end)  # the compiler's own table agrees with zoneinfo
        assert changes == _changes(timezone, start, end)
        for hour, minute in _times_of_day(_signature(timezone, changes)):
            cron = f"{minute} {hour} * * *"
            cover = tick_cover([cron], timezone, years=YEARS, budget=0)
            assert not cover.missing, f"{cron} in {timezone}: refused"
            schedules = argo_schedules(cover.crons, timezone)
            for low, high in windows(argo_schedules([cron], timezone), timezone, YEARS, budget=0):
                dagster = set(dagster_ticks([cron], timezone, low, high))
                argo = set(argo_ticks(schedules, low, high))
                gated = {tick for tick in argo if tick in dagster}  # the gate's rule; test_dst_gate.py checks it
                compared += len(dagster)
                if gated != dagster:
                    lost = sorted(datetime.fromtimestamp(t, ZoneInfo(timezone)) for t in dagster - argo)
                    failures.append(f"{cron} in {timezone} ({', '.join(zones[:3])}...): no Argo tick at {lost}")
                if argo - dagster and not cover.filtered:
                    failures.append(f"{cron} in {timezone}: Argo fires where Dagster does not, and no gate")
    assert failures == []
    assert compared > 10_000
