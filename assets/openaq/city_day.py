"""Everything the API holds for one city-day, as one JSON document (rows exactly as returned), written as a stream."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import datetime
from typing import Any

from assets.openaq.client import OpenAQClient, RequestTally, SensorHours
from assets.openaq.day_document import CityDayDocument, SpooledRows, dumps
from assets.openaq.units import canonical_parameter, canonical_units
from assets.openaq.window import parse_api_time, to_api_time

log = logging.getLogger(__name__)

# Why a sensor of a location in the radius was not asked for its hours; each one is counted in `stats`.
SKIP_REASONS = ("other_parameter", "no_parameter", "no_sensor_id", "sensor_listed_twice")


def reported_since(location: dict[str, Any], start: datetime) -> bool:
    """`datetimeLast.utc` on or after `start`. Advisory only: the field lags, so it never decides on its own."""
    last = location.get("datetimeLast")
    if not isinstance(last, dict) or not isinstance(last.get("utc"), str):
        return False
    try:
        return parse_api_time(last["utc"]) >= start
    except ValueError:
        return False


def _valid_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _skip_reason(sensor: Any, parameters: Collection[tuple[str, str]] | None) -> str | None:
    """Why `sensor` is not fetched, or None when it is."""
    if not isinstance(sensor, dict) or not _valid_id(sensor.get("id")):
        return "no_sensor_id"
    parameter = sensor.get("parameter")
    if parameters is None:
        return None
    if not isinstance(parameter, dict) or not all(isinstance(parameter.get(k), str) for k in ("name", "units")):
        return "no_parameter"
    wanted = (canonical_parameter(parameter["name"]), canonical_units(parameter["units"]))
    return None if wanted in parameters else "other_parameter"


def select_sensors(
    locations: list[dict[str, Any]], parameters: Collection[tuple[str, str]] | None
) -> tuple[dict[int, int], Counter[str]]:
    """sensor id -> location id for every sensor to fetch, and the count of the others by reason (SKIP_REASONS).

    Units are compared in one spelling (`canonical_units`), so 'ug/m3' selects a µg/m³ sensor.
    """
    chosen: dict[int, int] = {}
    skipped: Counter[str] = Counter({reason: 0 for reason in SKIP_REASONS})
    for location in locations:
        sensors = location.get("sensors")
        for sensor in sensors if isinstance(sensors, list) else []:
            reason = _skip_reason(sensor, parameters)
            if reason is None and sensor["id"] in chosen:
                reason = "sensor_listed_twice"
            if reason is not None:
                skipped[reason] += 1
                continue
            chosen[sensor["id"]] = location["id"]
    return chosen, skipped


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
    """Everything for one city-day as one dict, API rows exactly as returned (`write_city_day`, parsed back).

    For small days and tests: the asset streams the document instead (`write_city_day`), since a large day as
    Python objects does not fit a pod.
    """
    document = write_city_day(
        client,
        city=city,
        latitude=latitude,
        longitude=longitude,
        radius_m=radius_m,
        start=start,
        end=end,
        progress=progress,
        parameters=parameters,
    )
    try:
        parsed: dict[str, Any] = json.loads(document.to_bytes())
    finally:
        document.close()
    return parsed


def write_city_day(
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
) -> CityDayDocument:
    """Everything for one city-day as a JSON document streamed from a spool file; the caller closes it.

    `parameters` picks sensors by (parameter name, units), as the API advises (never by a fixed id list); None
    fetches every sensor. Every location in the radius is asked, whatever its `datetimeLast` says (the field lags
    behind `/hours`); a location that never reported simply returns no rows. Sensors not fetched are counted by
    reason in `stats` (`sensors_skipped_<reason>`), locations without a usable id in `locations_unusable`.
    Each sensor's rows are serialised as they arrive and not kept (see `day_document`).
    """
    tally = RequestTally()
    found = client.locations_near(latitude, longitude, radius_m, tally=tally)
    usable = [loc for loc in found if isinstance(loc, dict) and _valid_id(loc.get("id"))]
    unique = {loc["id"]: loc for loc in reversed(usable)}  # first occurrence wins if a page overlapped
    locations = sorted(unique.values(), key=lambda loc: loc["id"])
    sensor_location, skipped = select_sensors(locations, parameters)
    stale = sum(1 for loc in locations if not reported_since(loc, start))
    unusable = {reason: count for reason, count in skipped.items() if count and reason != "other_parameter"}
    if unusable:  # a sensor of another parameter is expected; one that cannot be read is not
        log.warning("OpenAQ %s: sensors not fetched because the API sent no usable id/parameter: %s", city, unusable)
    # The locations as bytes from here on: tens of thousands of location dicts would outweigh everything else.
    locations_found, locations_unusable, locations_json = len(found), len(found) - len(usable), dumps(locations)
    del found, usable, unique, locations
    spool = SpooledRows()
    row_counts: dict[int, int] = {}

    def spool_rows(hours: SensorHours) -> SensorHours:
        spool.add(hours.sensor_id, hours.rows)
        row_counts[hours.sensor_id] = len(hours.rows)
        return replace(hours, rows=[])

    try:
        hours = client.sensors_hours(
            sorted(sensor_location), start, end, tally=tally, progress=progress, consume=spool_rows
        )
    except BaseException:
        spool.close()
        raise
    request = {
        "city": city,
        "latitude": latitude,
        "longitude": longitude,
        "radius_m": radius_m,
        "window_start_utc": to_api_time(start),
        "window_end_utc": to_api_time(end),
    }
    stats = {
        "locations_found": locations_found,
        "locations_unusable": locations_unusable,
        "locations_datetime_last_before_day": stale,
        "sensors": len(sensor_location),
        "sensors_with_rows": sum(1 for count in row_counts.values() if count),
        **{f"sensors_skipped_{reason}": count for reason, count in sorted(skipped.items())},
        "requests": tally.requests,
        "pages": tally.pages,
        "rows": sum(row_counts.values()),
        "rows_outside_window": sum(h.rows_outside_window for h in hours.values()),
        "rows_without_period": sum(h.rows_without_period for h in hours.values()),
        "rows_non_finite": tally.rows_non_finite,
        "retries": tally.retries,
    }
    sensors = [(sid, sensor_location[sid]) for sid in sorted(sensor_location)]
    return CityDayDocument(request, stats, locations_json, sensors, spool)
