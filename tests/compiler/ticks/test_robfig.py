"""The robfig/cron port against robfig's own test cases (spec_test.go, v3.0.1) and DST facts read from zoneinfo."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from compiler.validate.robfig import (
    SCAN_YEARS,
    CronParseError,
    SpecSchedule,
    argo_schedules,
    argo_ticks,
    offset_at,
    parse_standard,
    zone_periods,
)

NEW_YORK = "America/New_York"


def _instant(text: str, zone: str = "UTC") -> int:
    """robfig's getTime: `2012-03-11T00:00:00-0500` with offset, or `Mon Jul 9 15:00 2012` in the local zone."""
    for layout in ("%a %b %d %H:%M %Y", "%a %b %d %H:%M:%S %Y"):
        try:
            return int(datetime.strptime(text, layout).replace(tzinfo=ZoneInfo(zone)).timestamp())
        except ValueError:
            continue
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z").timestamp())


# robfig TestActivation (five-field cases; "Local" is UTC here, as in Argo's images).
ACTIVATION = [
    ("Mon Jul 9 15:00 2012", "0/15 * * * *", True),
    ("Mon Jul 9 15:45 2012", "0/15 * * * *", True),
    ("Mon Jul 9 15:40 2012", "0/15 * * * *", False),
    ("Mon Jul 9 15:05 2012", "5/15 * * * *", True),
    ("Mon Jul 9 15:20 2012", "5/15 * * * *", True),
    ("Mon Jul 9 15:50 2012", "5/15 * * * *", True),
    ("Sun Jul 15 15:00 2012", "0/15 * * Jul *", True),
    ("Sun Jul 15 15:00 2012", "0/15 * * Jun *", False),
    ("Sun Jul 15 08:30 2012", "30 08 ? Jul Sun", True),
    ("Sun Jul 15 08:30 2012", "30 08 15 Jul ?", True),
    ("Mon Jul 16 08:30 2012", "30 08 ? Jul Sun", False),
    ("Mon Jul 16 08:30 2012", "30 08 15 Jul ?", False),
    ("Mon Jul 9 15:00 2012", "@hourly", True),
    ("Mon Jul 9 15:04 2012", "@hourly", False),
    ("Mon Jul 9 15:00 2012", "@daily", False),
    ("Mon Jul 9 00:00 2012", "@daily", True),
    ("Mon Jul 9 00:00 2012", "@weekly", False),
    ("Sun Jul 8 00:00 2012", "@weekly", True),
    ("Sun Jul 8 01:00 2012", "@weekly", False),
    ("Sun Jul 8 00:00 2012", "@monthly", False),
    ("Sun Jul 1 00:00 2012", "@monthly", True),
    # both day fields restricted: either matches
    ("Sun Jul 15 00:00 2012", "* * 1,15 * Sun", True),
    ("Fri Jun 15 00:00 2012", "* * 1,15 * Sun", True),
    ("Wed Aug 1 00:00 2012", "* * 1,15 * Sun", True),
    ("Sun Jul 15 00:00 2012", "* * */10 * Sun", True),
    # a star in one of them: both must match
    ("Sun Jul 15 00:00 2012", "* * * * Mon", False),
    ("Mon Jul 9 00:00 2012", "* * 1,15 * *", False),
    ("Sun Jul 15 00:00 2012", "* * 1,15 * *", True),
    ("Sun Jul 15 00:00 2012", "* * */2 * Sun", True),
]


@pytest.mark.parametrize(("time", "spec", "expected"), ACTIVATION)
def test_activation_matches_robfig(time: str, spec: str, expected: bool) -> None:
    instant = _instant(time)
    assert (parse_standard(spec).next(instant - 1) == instant) is expected


# robfig TestNext, the cases whose seconds field is 0 (Argo's five-field cron has no seconds), written as five fields.
NEXT = [
    ("Mon Jul 9 14:45 2012", "0/15 * * * *", "Mon Jul 9 15:00 2012"),
    ("Mon Jul 9 14:59 2012", "0/15 * * * *", "Mon Jul 9 15:00 2012"),
    ("Mon Jul 9 14:59:59 2012", "0/15 * * * *", "Mon Jul 9 15:00 2012"),
    ("Mon Jul 9 15:45 2012", "20-35/15 * * * *", "Mon Jul 9 16:20 2012"),
    ("Mon Jul 9 23:46 2012", "*/15 * * * *", "Tue Jul 10 00:00 2012"),
    ("Mon Jul 9 23:45 2012", "20-35/15 * * * *", "Tue Jul 10 00:20 2012"),
    ("Mon Jul 9 23:35 2012", "0 0 9 Apr-Oct ?", "Thu Aug 9 00:00 2012"),
    ("Mon Jul 9 23:35 2012", "0 0 */5 Apr,Aug,Oct Mon", "Tue Aug 1 00:00 2012"),
    ("Mon Jul 9 23:35 2012", "0 0 */5 Oct Mon", "Mon Oct 1 00:00 2012"),
    ("Mon Jul 9 23:35 2012", "0 0 * Feb Mon", "Mon Feb 4 00:00 2013"),
    ("Mon Jul 9 23:35 2012", "0 0 * Feb Mon/2", "Fri Feb 1 00:00 2013"),
    ("Mon Dec 31 23:59:45 2012", "* * * * *", "Tue Jan 1 00:00:00 2013"),
    ("Mon Jul 9 23:35 2012", "0 0 29 Feb ?", "Mon Feb 29 00:00 2016"),
    ("2012-03-11T00:00:00-0500", "CRON_TZ=America/New_York 30 2 11 Mar ?", "2013-03-11T02:30:00-0400"),
    ("2012-03-11T00:00:00-0500", "TZ=America/New_York 0 * * * ?", "2012-03-11T01:00:00-0500"),
    ("2012-03-11T01:00:00-0500", "TZ=America/New_York 0 * * * ?", "2012-03-11T03:00:00-0400"),
    ("2012-03-11T03:00:00-0400", "TZ=America/New_York 0 * * * ?", "2012-03-11T04:00:00-0400"),
    ("2012-03-11T04:00:00-0400", "CRON_TZ=America/New_York 0 * * * ?", "2012-03-11T05:00:00-0400"),
    ("2012-03-11T00:00:00-0500", "TZ=America/New_York 0 1 * * ?", "2012-03-11T01:00:00-0500"),
    ("2012-03-11T01:00:00-0500", "TZ=America/New_York 0 1 * * ?", "2012-03-12T01:00:00-0400"),
    ("2012-03-11T00:00:00-0500", "TZ=America/New_York 0 2 * * ?", "2012-03-12T02:00:00-0400"),  # skipped
    ("2012-11-04T00:00:00-0400", "TZ=America/New_York 30 2 04 Nov ?", "2012-11-04T02:30:00-0500"),
    ("2012-11-04T01:45:00-0400", "TZ=America/New_York 30 1 04 Nov ?", "2012-11-04T01:30:00-0500"),
    ("2012-11-04T00:00:00-0400", "TZ=America/New_York 0 * * * ?", "2012-11-04T01:00:00-0400"),
    ("2012-11-04T01:00:00-0400", "TZ=America/New_York 0 * * * ?", "2012-11-04T01:00:00-0500"),
    ("2012-11-04T01:00:00-0500", "TZ=America/New_York 0 * * * ?", "2012-11-04T02:00:00-0500"),
    ("2012-11-04T00:00:00-0400", "TZ=America/New_York 0 1 * * ?", "2012-11-04T01:00:00-0400"),
    ("2012-11-04T01:00:00-0400", "TZ=America/New_York 0 1 * * ?", "2012-11-04T01:00:00-0500"),  # runs twice
    ("2012-11-04T01:00:00-0500", "TZ=America/New_York 0 1 * * ?", "2012-11-05T01:00:00-0500"),
    ("2012-11-04T00:00:00-0400", "TZ=America/New_York 0 2 * * ?", "2012-11-04T02:00:00-0500"),
    ("2012-11-04T02:00:00-0500", "TZ=America/New_York 0 2 * * ?", "2012-11-05T02:00:00-0500"),
    ("2012-11-04T00:00:00-0400", "TZ=America/New_York 0 3 * * ?", "2012-11-04T03:00:00-0500"),
    ("2012-11-04T03:00:00-0500", "TZ=America/New_York 0 3 * * ?", "2012-11-05T03:00:00-0500"),
    ("2012-11-04T00:00:00-0400", "TZ=America/New_York 0 3 3 * ?", "2012-12-03T03:00:00-0500"),
    # DST making midnight invalid (robfig issue 157)
    ("2018-10-17T05:00:00-0400", "TZ=America/Sao_Paulo 0 9 10 * ?", "2018-11-10T06:00:00-0500"),
    ("2018-02-14T05:00:00-0500", "TZ=America/Sao_Paulo 0 9 22 * ?", "2018-02-22T07:00:00-0500"),
]
# TestNextWithTz is left out: without CRON_TZ robfig reads wall time in the zone of the time passed in, which in
# Argo's controller is its own local zone (UTC in Argo's images); the port models exactly that as UTC.


@pytest.mark.parametrize(("time", "spec", "expected"), NEXT)
def test_next_matches_robfig(time: str, spec: str, expected: str) -> None:
    assert parse_standard(spec).next(_instant(time)) == _instant(expected)


def test_unsatisfiable_gives_zero_time() -> None:
    start = _instant("Mon Jul 9 23:35 2012")
    assert parse_standard("0 0 30 Feb ?").next(start) is None
    assert parse_standard("0 0 31 Apr ?").next(start) is None


@pytest.mark.parametrize(
    "spec", ["xyz", "60 0 * * *", "0 60 * * *", "0 0 * * XYZ", "TZ=America/New_York 15/0 * * * *", "@fortnightly"]
)
def test_parser_errors_match_robfig(spec: str) -> None:
    with pytest.raises(CronParseError):
        parse_standard(spec)


def test_descriptors_equal_their_five_field_forms() -> None:
    start = _instant("Mon Jul 9 15:04 2012")
    end = start + 400 * 86400
    pairs = [("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"), ("@hourly", "0 * * * *"), ("@weekly", "0 0 * * 0")]
    pairs += [("@monthly", "0 0 1 * *"), ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *")]
    for descriptor, fields in pairs:
        assert argo_ticks(argo_schedules([descriptor], "Europe/Vienna"), start, end) == argo_ticks(
            argo_schedules([fields], "Europe/Vienna"), start, end
        ), descriptor


def _switch_days(zone: ZoneInfo, year: int) -> tuple[datetime, datetime]:
    """(spring-forward day, fall-back day) of `year`: the local dates whose UTC offset grows / shrinks."""
    days = [datetime(year, 1, 1, tzinfo=zone) + timedelta(days=n) for n in range(366)]
    changes = [(day, (day + timedelta(days=1)).utcoffset() - day.utcoffset()) for day in days[:-1]]  # type: ignore[operator]
    spring = next(day for day, change in changes if change > timedelta(0))
    fall = next(day for day, change in changes if change < timedelta(0))
    return spring, fall


def test_a_gap_time_never_fires_and_an_overlap_time_fires_twice() -> None:
    zone = ZoneInfo("Europe/Vienna")
    spring, fall = _switch_days(zone, 2026)
    schedules = argo_schedules(["30 2 * * *"], "Europe/Vienna")
    start = int((spring - timedelta(days=2)).timestamp())
    local = [datetime.fromtimestamp(t, zone) for t in argo_ticks(schedules, start, start + 5 * 86400)]
    assert spring.date() not in {t.date() for t in local}  # 02:30 does not exist that day: no tick at all
    assert len(local) == 4
    start = int((fall - timedelta(days=2)).timestamp())
    local = [datetime.fromtimestamp(t, zone) for t in argo_ticks(schedules, start, start + 5 * 86400)]
    on_fall_day = [t for t in local if t.date() == fall.date()]
    assert [t.strftime("%H:%M") for t in on_fall_day] == ["02:30", "02:30"]
    assert on_fall_day[1].timestamp() - on_fall_day[0].timestamp() == 3600  # once per offset


def test_hourly_skips_the_missing_hour_and_repeats_the_doubled_one() -> None:
    zone = ZoneInfo("Europe/Vienna")
    spring, fall = _switch_days(zone, 2027)
    schedules = argo_schedules(["0 * * * *"], "Europe/Vienna")
    for day, expected in ((spring, 23), (fall, 25)):
        start, end = int(day.timestamp()) - 1, int((day + timedelta(days=1)).timestamp()) - 1
        assert len(argo_ticks(schedules, start, end)) == expected  # one tick per elapsed hour


def test_multiple_entries_fire_once_per_instant() -> None:
    start = int(datetime(2026, 6, 1, tzinfo=UTC).timestamp())
    ticks = argo_ticks(argo_schedules(["0 1 * * *", "0 1 * * 1", "0 13 * * *"], "UTC"), start, start + 7 * 86400)
    assert len(ticks) == 14


ZONES = ["Europe/Vienna", "America/Santiago", "Asia/Beirut", "Australia/Lord_Howe", "America/St_Johns", "UTC"]
SPECS = ["30 2 * * *", "0 0 * * *", "*/7 1-3 * * *", "15,45 * * * 1-5", "0 */5 1,15 * *", "59 23 * * 0", "0 3 28 2,3 *"]


@pytest.mark.parametrize("zone", ZONES)
def test_skipping_runs_of_values_lands_where_single_steps_land(zone: str) -> None:
    """The fast path of the hour/minute/second loops against robfig's one-unit steps, across clock changes
    (Lord Howe moves by 30 minutes, St John's sits at a half-hour offset)."""
    start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    changes = [c for c in zone_periods(zone).starts if start <= c < start + 2 * 366 * 86400]
    # from ~9 hours before each change to ~1.5 hours after, at odd minutes and seconds; plus the year in between
    probes = [c + k * 13 * 60 + 7 for c in changes for k in range(-40, 8)]
    probes += [start + n * 7919 * 60 for n in range(96)]
    for spec in SPECS:
        [schedule] = argo_schedules([spec], zone)
        assert isinstance(schedule, SpecSchedule)
        for probe in probes:
            assert schedule.next(probe) == schedule.next(probe, one_step_at_a_time=True), (spec, zone, probe)


@pytest.mark.parametrize("zone", ZONES)
def test_offset_table_agrees_with_zoneinfo(zone: str) -> None:
    info = ZoneInfo(zone)
    start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    for changed in (c for c in zone_periods(zone).starts if start <= c < start + 3 * 366 * 86400):
        for instant in (changed - 1, changed, changed + 1):
            expected = datetime.fromtimestamp(instant, info).utcoffset()
            assert expected is not None
            assert offset_at(zone, instant) == int(expected.total_seconds())
    for instant in range(start, start + 366 * 86400, 86400 * 3 + 3607):
        expected = datetime.fromtimestamp(instant, info).utcoffset()
        assert expected is not None
        assert offset_at(zone, instant) == int(expected.total_seconds())


def _scan_every_probe(zone: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The period table as first written: every 6-hour probe converted to seconds and compared, each change bisected
    to the second (zone_periods now compares zoneinfo's timedeltas and converts only where they change)."""
    info = ZoneInfo(zone)

    def offset(instant: int) -> int:
        value = datetime.fromtimestamp(instant, info).utcoffset()
        assert value is not None
        return int(value.total_seconds())

    first = int(datetime(SCAN_YEARS[0], 1, 1, tzinfo=UTC).timestamp())
    last = int(datetime(SCAN_YEARS[1], 1, 1, tzinfo=UTC).timestamp())
    starts, offsets, previous = [first], [offset(first)], first
    for probe in range(first + 6 * 3600, last + 1, 6 * 3600):
        if offset(probe) != offsets[-1]:
            low, high = previous, probe
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(middle) == offsets[-1] else (low, middle)
            starts.append(high)
            offsets.append(offset(probe))
        previous = probe
    return tuple(starts), tuple(offsets)


@pytest.mark.parametrize("zone", [*ZONES, "Africa/Casablanca", "Pacific/Chatham", "Asia/Kolkata"])
def test_offset_table_is_the_probe_by_probe_scan(zone: str) -> None:
    table = zone_periods(zone)
    assert (table.starts, table.offsets) == _scan_every_probe(zone)
