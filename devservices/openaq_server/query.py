"""Query-string parsing with the real API's pydantic-style 422 bodies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

PYDANTIC_URL = "https://errors.pydantic.dev/2.1.2/v/"


class QueryInvalid(Exception):
    """Raised with the 422 body to send (a dict, or a plain string like the real API sometimes sends)."""

    def __init__(self, body: Any) -> None:
        super().__init__(str(body))
        self.body = body


def _error(kind: str, name: str, msg: str, raw: str, ctx: dict[str, Any] | None = None) -> QueryInvalid:
    item: dict[str, Any] = {"type": kind, "loc": ["query", name], "msg": msg, "input": raw}
    if ctx is not None:
        item["ctx"] = ctx
    item["url"] = PYDANTIC_URL + kind
    return QueryInvalid({"detail": [item]})


def int_param(query: dict[str, str], name: str, default: int, low: int, high: int | None = None) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _error(
            "int_parsing", name, "Input should be a valid integer, unable to parse string as an integer", raw
        ) from None
    if value < low:
        raise _error("greater_than_equal", name, f"Input should be greater than or equal to {low}", raw, {"ge": low})
    if high is not None and value > high:
        raise _error("less_than_equal", name, f"Input should be less than or equal to {high}", raw, {"le": high})
    return value


def coordinates_param(query: dict[str, str]) -> tuple[float, float] | None:
    raw = query.get("coordinates")
    if raw is None:
        return None
    try:
        lat_text, lon_text = raw.split(",")
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        raise _error(
            "value_error", "coordinates", "Value error, coordinates must be 'latitude,longitude'", raw
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise _error("value_error", "coordinates", "Value error, latitude/longitude out of range", raw)
    return lat, lon


def datetime_param(query: dict[str, str], name: str, local_zone: str) -> datetime | None:
    """ISO 8601; `Z` or an offset is honoured, a time without a zone is read in the station's zone."""
    raw = query.get(name)
    if raw is None:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise _error(
            "datetime_from_date_parsing", name, "Input should be a valid datetime or date, invalid character", raw
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(local_zone))
    return parsed.astimezone(UTC)
