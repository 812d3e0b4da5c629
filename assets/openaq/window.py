"""Local calendar days as UTC windows, and the UTC `...Z` timestamps the API needs."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assets.openaq.errors import OpenAQConfigError


def day_window_utc(day: dt.date, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    """Local calendar day [00:00, next 00:00) in `timezone`, as aware UTC datetimes (23/24/25 h on DST days)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise OpenAQConfigError(
            f"unknown time zone {timezone!r}", hint="Use an IANA time zone name such as 'Europe/Vienna'."
        ) from None
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def require_aware(moment: dt.datetime, name: str) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise OpenAQConfigError(
            f"{name}={moment.isoformat()} has no time zone",
            hint="Pass an aware datetime (e.g. from day_window_utc); naive times are ambiguous.",
        )
    return moment


def to_api_time(moment: dt.datetime) -> str:
    """UTC with a trailing `Z`: a time without a zone is read in the station's zone, `+01:00` breaks in URLs."""
    return require_aware(moment, "datetime").astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_api_time(text: str) -> dt.datetime:
    """An API timestamp (`...Z` or with an offset) as an aware UTC datetime."""
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no zone")
    return parsed.astimezone(dt.UTC)
