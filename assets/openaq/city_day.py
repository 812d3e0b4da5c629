"""Everything the API holds for one city-day, as one JSON-serialisable document (rows exactly as returned)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from assets.openaq.client import OpenAQClient, RequestTally
from assets.openaq.window import parse_api_time, to_api_time


def is_active_since(location: dict[str, Any], start: datetime) -> bool:
    """Active when `datetimeLast.utc` is on or after `start`; no `datetimeLast` means it never reported."""
    last = location.get("datetimeLast")
    if not isinstance(last, dict) or not last.get("utc"):
        return False
    return parse_api_time(last["utc"]) >= start


def _wanted(sensor: dict[str, Any], parameters: Collection[tuple[str, str]] | None) -> bool:
    parameter = sensor.get("parameter") or {}
    return parameters is None or (parameter.get("name"), parameter.get("units")) in parameters


def fetch_city_day(
    client: OpenAQClient,
    *,
    city: str,
    latitude: float,
    longitude: float,
    radius_m: int,
    start: datetime,
    end: datetime,
    progress: Callable[[int, int], None] | None = None,
    parameters: Collection[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """Everything for one city-day, JSON-serialisable, API rows exactly as returned.

    `parameters` picks sensors by (parameter name, units), as the API advises (never by a fixed id list);
    None fetches every sensor of the active locations.
    """
    tally = RequestTally()
    found = client.locations_near(latitude, longitude, radius_m, tally=tally)
    unique = {loc["id"]: loc for loc in reversed(found)}  # first occurrence wins if a page overlapped
    active = sorted((loc for loc in unique.values() if is_active_since(loc, start)), key=lambda loc: loc["id"])
    sensor_location = {
        s["id"]: loc["id"] for loc in active for s in (loc.get("sensors") or []) if _wanted(s, parameters)
    }
    hours = client.sensors_hours(sorted(sensor_location), start, end, tally=tally, progress=progress)
    measurements = [
        {"location_id": sensor_location[sid], "sensor_id": sid, "results": hours[sid].rows}
        for sid in sorted(sensor_location)
    ]
    return {
        "request": {
            "city": city,
            "latitude": latitude,
            "longitude": longitude,
            "radius_m": radius_m,
            "window_start_utc": to_api_time(start),
            "window_end_utc": to_api_time(end),
        },
        "stats": {
            "locations_found": len(found),
            "locations_active": len(active),
            "sensors": len(sensor_location),
            "requests": tally.requests,
            "pages": tally.pages,
            "rows": sum(len(m["results"]) for m in measurements),
            "rows_outside_window": sum(h.rows_outside_window for h in hours.values()),
            "retries": tally.retries,
        },
        "locations": active,
        "measurements": measurements,
    }
