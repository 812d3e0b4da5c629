"""When Argo's cron controller fires: a line-by-line port of robfig/cron v3.0.1, the version Argo 4.1 vendors.

Argo registers each `spec.schedules` entry as `CRON_TZ=<timezone> <entry>` with `cron.New()` (standard parser:
five fields or an `@` descriptor; workflow/cron/cron_facade.go, pkg/apis/.../cron_workflow_types.go), and its runner
fires each entry at `Next(previous tick)`. What matters around daylight-saving switches is how `SpecSchedule.Next`
(robfig/cron spec.go) walks local time: it increments hours with `t.Add(time.Hour)`, so a wall time inside a
spring-forward gap is never reached (the tick is lost), and in a fall-back overlap the same wall time is reached
twice (the tick fires twice). Go's `time.Date` resolves a non-existent or ambiguous wall time with the algorithm
of Go's time.go `Date` (offset at the instant `unix - offset(unix)`), reproduced in `_date`.

Time here is whole Unix seconds (robfig works to the second and Argo's schedules have no seconds field).
"""

import bisect
import functools
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

STAR_BIT = 1 << 63
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
MONTH_NAMES = {
    m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])
}
DOW_NAMES = {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
# (min, max, names) per field: robfig spec.go `bounds`
MINUTES = (0, 59, None)
HOURS = (0, 23, None)
DOM = (1, 31, None)
MONTHS = (1, 12, MONTH_NAMES)
DOW = (0, 6, DOW_NAMES)
YEAR_LIMIT = 5  # Next gives up (zero time) when nothing matches within five years
_GO_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


class CronParseError(ValueError):
    """The spec is one robfig's standard parser refuses (Argo's controller refuses the CronWorkflow)."""


@functools.cache
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


@dataclass(frozen=True)
class ZonePeriods:
    """A zone's UTC offsets as constant periods: `offsets[i]` holds from `starts[i]` (Unix seconds) to the next start.

    Read from the tz database through zoneinfo by sampling every 6 hours over `SCAN_YEARS` and bisecting each
    change to the second, so robfig's per-second walk needs one `bisect` per step instead of a zone lookup.
    """

    starts: tuple[int, ...]
    offsets: tuple[int, ...]

    def index(self, unix: int) -> int:
        return bisect.bisect_right(self.starts, unix) - 1

    def offset(self, unix: int) -> int:
        return self.offsets[self.index(unix)]


SCAN_YEARS = (2000, 2070)  # the period table's span; outside it zoneinfo answers directly
_SCAN_STEP = 6 * 3600
_SCAN_END = int(datetime(SCAN_YEARS[1], 1, 1, tzinfo=UTC).timestamp())


def _zoneinfo_offset(zone: str, unix: int) -> int:
    moment = datetime.fromtimestamp(unix, _zone(zone))
    return int(moment.utcoffset().total_seconds())  # type: ignore[union-attr]


@functools.cache
def zone_periods(zone: str) -> ZonePeriods:
    first = int(datetime(SCAN_YEARS[0], 1, 1, tzinfo=UTC).timestamp())
    last = int(datetime(SCAN_YEARS[1], 1, 1, tzinfo=UTC).timestamp())
    starts, offsets = [first], [_zoneinfo_offset(zone, first)]
    previous = first
    tz, fromtimestamp = _zone(zone), datetime.fromtimestamp
    seen = fromtimestamp(first, tz).utcoffset()
    for probe in range(first + _SCAN_STEP, last + 1, _SCAN_STEP):
        # ~100,000 probes: the offset as zoneinfo's timedelta, converted only when it differs from the last one seen
        probed = fromtimestamp(probe, tz).utcoffset()
        if probed == seen:
            previous = probe
            continue
        seen = probed
        offset = _zoneinfo_offset(zone, probe)
        if offset != offsets[-1]:
            low, high = previous, probe  # offset(low) is the old one, offset(high) the new one
            while high - low > 1:
                middle = (low + high) // 2
                if _zoneinfo_offset(zone, middle) == offsets[-1]:
                    low = middle
                else:
                    high = middle
            starts.append(high)
            offsets.append(offset)
        previous = probe
    return ZonePeriods(tuple(starts), tuple(offsets))


def offset_at(zone: str, unix: int) -> int:
    return _offset_reader(zone)(unix)


@functools.cache
def _offset_reader(zone: str) -> Callable[[int], int]:
    """`offset_at` for one zone: the period table's lookup bound once, since `Next` asks ~30 times per tick."""
    periods = zone_periods(zone)
    starts, offsets, first = periods.starts, periods.offsets, periods.starts[0]
    bisect_right = bisect.bisect_right

    def read(unix: int) -> int:
        if first <= unix < _SCAN_END:
            return offsets[bisect_right(starts, unix) - 1]
        return _zoneinfo_offset(zone, unix)

    return read


def _same_period(zone: str, first: int, second: int) -> bool:
    """True when no offset change lies in (first, second]: stepping between them reads wall time linearly."""
    if not _SCAN_END > second >= first >= zone_periods(zone).starts[0]:
        return False
    periods = zone_periods(zone)
    return periods.index(first) == periods.index(second)


@dataclass(frozen=True)
class Local:
    """Go's `t.Date()`, `t.Clock()` and `t.Weekday()` (Sunday = 0) of an instant in a zone."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    weekday: int


@functools.lru_cache(maxsize=4096)
def _calendar(days: int) -> tuple[int, int, int, int]:
    """(year, month, day, weekday with Sunday = 0) of the `days`-th day after 1970-01-01."""
    day = date.fromordinal(days + _EPOCH_ORDINAL)
    return day.year, day.month, day.day, (day.weekday() + 1) % 7


def local(zone: str, unix: int) -> Local:
    wall = unix + offset_at(zone, unix)
    days, seconds = divmod(wall, 86400)
    year, month, day, weekday = _calendar(days)
    return Local(year, month, day, seconds // 3600, seconds // 60 % 60, seconds % 60, weekday)


def _hour(zone: str, unix: int) -> int:
    return (unix + offset_at(zone, unix)) // 3600 % 24


def _minute(zone: str, unix: int) -> int:
    return (unix + offset_at(zone, unix)) // 60 % 60


def _second(zone: str, unix: int) -> int:
    return (unix + offset_at(zone, unix)) % 60


def _ymd(zone: str, unix: int) -> tuple[int, int, int, int]:
    return _calendar((unix + offset_at(zone, unix)) // 86400)


def _date(zone: str, year: int, month: int, day: int, hour: int, minute: int, second: int) -> int:
    """Go's `time.Date`: normalises overflowing fields, then picks the offset valid at `unix - offset(unix)`.

    Go looks up the zone period containing `unix` (the wall time read as UTC) and keeps its offset when
    `unix - offset` lies in that period, else takes the offset at `unix - offset`; either way the result is the
    offset in force at `unix - offset(unix)`. A wall time in a gap thus lands after it (02:30 → 03:30 CEST), an
    ambiguous one on its later occurrence.
    """
    years, month0 = divmod(month - 1, 12)
    minutes, second = divmod(second, 60)
    hours, minute = divmod(minute + minutes, 60)
    days, hour = divmod(hour + hours, 24)
    ordinal = date(year + years, month0 + 1, 1).toordinal() + day - 1 + days
    unix = (ordinal - _EPOCH_ORDINAL) * 86400 + hour * 3600 + minute * 60 + second
    return unix - offset_at(zone, unix - offset_at(zone, unix))


def _add_date(zone: str, unix: int, months: int, days: int) -> int:
    """Go's `t.AddDate(0, months, days)`: the same wall clock on the shifted date, through `time.Date`."""
    t = local(zone, unix)
    return _date(zone, t.year, t.month + months, t.day + days, t.hour, t.minute, t.second)


@dataclass(frozen=True)
class SpecSchedule:
    """robfig's `SpecSchedule`: one bit per allowed value, `STAR_BIT` when the field began with `*` or `?`."""

    second: int
    minute: int
    hour: int
    dom: int
    month: int
    dow: int
    zone: str

    def next(self, unix: int, *, one_step_at_a_time: bool = False) -> int | None:
        """`SpecSchedule.Next` (robfig/cron v3.0.1 spec.go), statement by statement; None is Go's zero time.

        The hour/minute/second loops skip runs of non-matching values in one go where that provably lands on the
        same instant (`_advance`); `one_step_at_a_time` turns that off (tests compare the two)."""
        step = 0 if one_step_at_a_time else None
        zone = self.zone
        t = unix + 1  # "the upcoming second" (whole seconds here, so no nanoseconds to drop)
        added = False
        year_limit = _ymd(zone, t)[0] + YEAR_LIMIT
        while True:  # WRAP
            if _ymd(zone, t)[0] > year_limit:
                return None
            wrapped = False
            while not (1 << _ymd(zone, t)[1]) & self.month:
                if not added:
                    added = True
                    lt = local(zone, t)
                    t = _date(zone, lt.year, lt.month, 1, 0, 0, 0)
                t = _add_date(zone, t, 1, 0)
                if _ymd(zone, t)[1] == 1:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not self._day_matches(_ymd(zone, t)):
                if not added:
                    added = True
                    lt = local(zone, t)
                    t = _date(zone, lt.year, lt.month, lt.day, 0, 0, 0)
                t = _add_date(zone, t, 0, 1)
                hour = _hour(zone, t)
                if hour != 0:  # midnight did not exist (DST at midnight): robfig nudges back to the day's start
                    t += (24 - hour) * 3600 if hour > 12 else -hour * 3600
                if _ymd(zone, t)[2] == 1:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not (1 << _hour(zone, t)) & self.hour:
                if not added:
                    added = True
                    lt = local(zone, t)
                    t = _date(zone, lt.year, lt.month, lt.day, lt.hour, 0, 0)
                t = t + 3600 if step == 0 else _advance(zone, t, 3600, 24, _hour, self.hour)
                if _hour(zone, t) == 0:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not (1 << _minute(zone, t)) & self.minute:
                if not added:
                    added = True
                    t -= t % 60  # Truncate(time.Minute): absolute time, not wall time
                t = t + 60 if step == 0 else _advance(zone, t, 60, 60, _minute, self.minute)
                if _minute(zone, t) == 0:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not (1 << _second(zone, t)) & self.second:
                if not added:
                    added = True  # Truncate(time.Second) is a no-op on whole seconds
                t = t + 1 if step == 0 else _advance(zone, t, 1, 60, _second, self.second)
                if _second(zone, t) == 0:
                    wrapped = True
                    break
            if wrapped:
                continue
            return t

    def _day_matches(self, ymd: tuple[int, int, int, int]) -> bool:
        """robfig `dayMatches`: a `*` in either day field makes the two AND, otherwise OR (Vixie cron's rule)."""
        dom_match = bool((1 << ymd[2]) & self.dom)
        dow_match = bool((1 << ymd[3]) & self.dow)
        if self.dom & STAR_BIT or self.dow & STAR_BIT:
            return dom_match and dow_match
        return dom_match or dow_match


def _advance(zone: str, t: int, unit: int, modulus: int, field: "Callable[[str, int], int]", bits: int) -> int:
    """`t.Add(unit)` repeated as robfig's loop would, stopping where it stops (a matching value or 0).

    Several units are taken at once only when no offset change lies between, where the wall clock advances
    exactly with `t`; otherwise one unit, as in Go. The result is the same `t` the step-by-step loop reaches.
    """
    value = field(zone, t)
    # the lowest allowed value above `value` (below `modulus`), else `modulus`: the first set bit of that window
    window = (bits >> (value + 1)) & ((1 << max(modulus - value - 1, 0)) - 1)
    target = value + (window & -window).bit_length() if window else modulus
    jump = t + (target - value) * unit
    return jump if target - value > 1 and _same_period(zone, t, jump) else t + unit


@dataclass(frozen=True)
class ConstantDelaySchedule:
    """`@every D`: fires every D after the controller (re)started, independent of wall time and zone."""

    delay_seconds: int

    def next(self, unix: int) -> int | None:
        return unix + self.delay_seconds


Schedule = SpecSchedule | ConstantDelaySchedule


def parse_standard(spec: str) -> Schedule:
    """`cron.ParseStandard` / the parser of `cron.New()`: `[CRON_TZ=Zone ]` five fields or a descriptor."""
    if not spec:
        raise CronParseError("empty spec string")
    zone = "Local"
    if spec.startswith(("TZ=", "CRON_TZ=")):
        space, equals = spec.find(" "), spec.find("=")
        zone = spec[equals + 1 : space] if space >= 0 else spec[equals + 1 :]
        try:
            _zone(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise CronParseError(f"provided bad location {zone}") from None
        spec = spec[space:].strip() if space >= 0 else ""
    if zone == "Local":
        zone = "UTC"  # the controller's local zone: UTC in Argo's images
    if spec.startswith("@"):
        return _descriptor(spec, zone)
    fields = spec.split()
    if len(fields) != 5:
        raise CronParseError(f"expected exactly 5 fields, found {len(fields)}: {fields}")
    return SpecSchedule(
        second=1 << 0,
        minute=_field(fields[0], MINUTES),
        hour=_field(fields[1], HOURS),
        dom=_field(fields[2], DOM),
        month=_field(fields[3], MONTHS),
        dow=_field(fields[4], DOW),
        zone=zone,
    )


def argo_schedules(expressions: list[str] | tuple[str, ...], timezone: str | None) -> list[Schedule]:
    """The entries Argo's controller registers for a CronWorkflow (`GetSchedulesWithTimezone`)."""
    prefix = f"CRON_TZ={timezone} " if timezone else ""
    return [parse_standard(prefix + expression) for expression in expressions]


def argo_ticks(schedules: list[Schedule], start: int, end: int) -> list[int]:
    """Instants (Unix seconds) in (start, end) at which the controller submits a Workflow.

    Each entry fires at its own `Next`; two entries firing at the same instant yield one Workflow (its name is
    `<cronworkflow>-<unix time>`, so the second submit is AlreadyExists), hence the union.
    """
    ticks: set[int] = set()
    for schedule in schedules:
        tick = schedule.next(start)
        while tick is not None and tick < end:
            ticks.add(tick)
            tick = _following(schedule, tick)
    return sorted(ticks)


def _following(schedule: Schedule, tick: int) -> int | None:
    """The entry's next tick after `tick`. `Next` can return its own argument (Pacific/Chatham's `45 3 * * *` at its
    fall-back switch: robfig's Go code returns the switch instant for any `now` in the 15 minutes after it). Go's
    runner then fires again at once, with a later `now`, until `Next` passes the tick: the same Workflow name each
    time (AlreadyExists), so one Workflow. The port steps `now` a minute at a time, up to a day."""
    following = schedule.next(tick)
    probe = tick
    while following is not None and following <= tick and probe < tick + 86400:
        probe += 60
        following = schedule.next(probe)
    return following


def _descriptor(spec: str, zone: str) -> Schedule:
    every = "@every "
    if spec.startswith(every):
        return ConstantDelaySchedule(max(1, int(_go_duration(spec[len(every) :]))))
    all_dom, all_month, all_dow, all_hour = (_bits(lo, hi, 1) | STAR_BIT for lo, hi, _ in (DOM, MONTHS, DOW, HOURS))
    shapes = {
        ("@yearly", "@annually"): (1 << 0, 1 << 1, 1 << 1, all_dow),
        ("@monthly",): (1 << 0, 1 << 1, all_month, all_dow),
        ("@weekly",): (1 << 0, all_dom, all_month, 1 << 0),
        ("@daily", "@midnight"): (1 << 0, all_dom, all_month, all_dow),
        ("@hourly",): (all_hour, all_dom, all_month, all_dow),
    }
    for names, (hour, dom, month, dow) in shapes.items():
        if spec in names:
            return SpecSchedule(1 << 0, 1 << 0, hour, dom, month, dow, zone)
    raise CronParseError(f"unrecognized descriptor: {spec}")


def _go_duration(text: str) -> float:
    parts = re.findall(r"([0-9]+(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise CronParseError(f"failed to parse duration @every {text}")
    return sum(float(number) * _GO_DURATION_UNITS[unit] for number, unit in parts)


def _field(field: str, bounds: tuple[int, int, dict[str, int] | None]) -> int:
    """robfig `getField`: comma-separated ranges (empty items are skipped, as strings.FieldsFunc does)."""
    bits = 0
    for expression in (part for part in field.split(",") if part):
        bits |= _range(expression, bounds)
    return bits


def _range(expression: str, bounds: tuple[int, int, dict[str, int] | None]) -> int:
    """robfig `getRange`: `*`, `?`, `N`, `N-M`, each optionally `/step`; `N/step` means `N-max/step`."""
    low, high, names = bounds
    range_and_step = expression.split("/")
    low_and_high = range_and_step[0].split("-")
    single = len(low_and_high) == 1
    extra = 0
    if low_and_high[0] in ("*", "?"):
        start, end, extra = low, high, STAR_BIT
    else:
        start = _int_or_name(low_and_high[0], names)
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = _int_or_name(low_and_high[1], names)
        else:
            raise CronParseError(f"too many hyphens: {expression}")
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = _int(range_and_step[1])
        if single:
            end = high
        if step > 1:
            extra = 0
    else:
        raise CronParseError(f"too many slashes: {expression}")
    if start < low:
        raise CronParseError(f"beginning of range ({start}) below minimum ({low}): {expression}")
    if end > high:
        raise CronParseError(f"end of range ({end}) above maximum ({high}): {expression}")
    if start > end:
        raise CronParseError(f"beginning of range ({start}) beyond end of range ({end}): {expression}")
    if step == 0:
        raise CronParseError(f"step of range should be a positive number: {expression}")
    return _bits(start, end, step) | extra


def _bits(start: int, end: int, step: int) -> int:
    return sum(1 << value for value in range(start, end + 1, step))


def _int_or_name(text: str, names: dict[str, int] | None) -> int:
    if names is not None and text.lower() in names:
        return names[text.lower()]
    return _int(text)


def _int(text: str) -> int:
    """Go's `strconv.Atoi` then the negative check of `mustParseInt`."""
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise CronParseError(f"failed to parse int from {text}")
    number = int(text)
    if number < 0:
        raise CronParseError(f"negative number ({number}) not allowed: {text}")
    return number
