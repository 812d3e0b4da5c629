"""SYNTHETIC raw city-days of any size, as the JSON bytes the IO manager stores for `openaq/raw_measurements`.

Rows have the exact OpenAQ v3 `/hours` shape. Every 50th value is null (the only invalid rows), so the naive
baseline's `dropna` and the pipeline's cleaning keep the same rows and the variants do the same useful work.
"""

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from devservices.openaq_server.synthetic import hour_row_json

HOURS_PER_SENSOR = 24
SENSORS_PER_LOCATION = 4
NULL_EVERY = 50
DAY_START = datetime(2026, 11, 26, 23, tzinfo=UTC)  # 2026-11-27 00:00 in Vienna
PARAMETERS = (("pm25", 2, 2.0, 60.0), ("pm10", 1, 5.0, 90.0), ("no2", 5, 3.0, 80.0), ("o3", 3, 5.0, 140.0))
CACHE_DIR = Path("/tmp/air-quality-bench-cache")


def _stamp(moment: datetime) -> dict[str, str]:
    local = moment + timedelta(hours=1)
    return {"utc": moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "local": local.strftime("%Y-%m-%dT%H:%M:%S+01:00")}


_STAMPS = [_stamp(DAY_START + timedelta(hours=hour)) for hour in range(HOURS_PER_SENSOR + 1)]


def expected_valid_rows(rows: int) -> int:
    """Rows whose value is not null: row i (0-based, over the whole day) is null when i % NULL_EVERY == 0."""
    return rows - len(range(0, rows, NULL_EVERY))


def _hour_row(row_index: int, hour: int, parameter: tuple[str, int, float, float], rng: random.Random) -> dict:
    name, parameter_id, low, high = parameter
    raw = round(rng.uniform(low, high), 4)
    value = None if row_index % NULL_EVERY == 0 else float(f"{raw:.3g}")
    start, end = _STAMPS[hour], _STAMPS[hour + 1]
    parameter_json = {"id": parameter_id, "name": name, "units": "µg/m³", "displayName": None}
    return hour_row_json(value, raw, parameter_json, start, end)


def _location(location_id: int, sensor_ids: list[int]) -> dict[str, Any]:
    latitude, longitude = 48.0 + (location_id % 1000) / 1000, 16.0 + (location_id % 997) / 997
    return {
        "id": location_id,
        "name": f"Synthetic station {location_id} (synthetic data)",
        "locality": "Synthetic",
        "timezone": "Europe/Vienna",
        "coordinates": {"latitude": round(latitude, 6), "longitude": round(longitude, 6)},
        "sensors": [{"id": sid, "name": PARAMETERS[sid % 4][0]} for sid in sensor_ids],
        "datetimeLast": {"utc": "2099-12-31T00:00:00Z", "local": "2099-12-31T01:00:00+01:00"},
    }


def _sensor_groups(rows: int, seed: int) -> Iterator[tuple[int, int, list[dict[str, Any]]]]:
    """(location id, sensor id, hour rows) per sensor, in order: the one source of both serialisations."""
    if rows < 1:
        raise ValueError(f"rows must be >= 1, got {rows}")
    rng = random.Random(seed)
    row_index = 0
    for index in range(-(-rows // HOURS_PER_SENSOR)):
        sensor_id = 1_000_000 + index
        results = []
        for hour in range(min(HOURS_PER_SENSOR, rows - row_index)):
            results.append(_hour_row(row_index, hour, PARAMETERS[sensor_id % 4], rng))
            row_index += 1
        yield _location_id(index), sensor_id, results


def _location_id(sensor_index: int) -> int:
    return 100_000 + sensor_index // SENSORS_PER_LOCATION


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def synthetic_raw_bytes(rows: int, seed: int = 7) -> bytes:
    """A city-day of exactly `rows` sensor-hours (24 per sensor, the last one fewer), serialised like the IO manager."""
    groups: list[str] = []
    by_location: dict[int, list[int]] = {}
    for location_id, sensor_id, results in _sensor_groups(rows, seed):
        groups.append(_dumps({"location_id": location_id, "sensor_id": sensor_id, "results": results}))
        by_location.setdefault(location_id, []).append(sensor_id)
    head = {
        "request": {
            "city": "Synthetic",
            "latitude": 48.2082,
            "longitude": 16.3738,
            "radius_m": 25_000,
            "window_start_utc": _STAMPS[0]["utc"],
            "window_end_utc": _STAMPS[-1]["utc"],
        },
        "stats": {"sensors": len(groups), "rows": rows, "rows_outside_window": 0},
        "locations": [_location(location_id, ids) for location_id, ids in sorted(by_location.items())],
    }
    text = _dumps(head)[:-1] + ',"measurements":[' + ",".join(groups) + "]}"
    return text.encode()


def synthetic_ndjson_bytes(rows: int, seed: int = 7) -> bytes:
    """The same sensor-hours as `synthetic_raw_bytes`, one JSON object per line with its location and sensor id.

    The input of the multi-threaded pyarrow floor: `pyarrow.json.read_json` parses newline-delimited blocks in
    parallel, which a single-document JSON cannot offer.
    """
    lines = [
        _dumps({"location_id": location_id, "sensor_id": sensor_id, **row})
        for location_id, sensor_id, results in _sensor_groups(rows, seed)
        for row in results
    ]
    return ("\n".join(lines) + "\n").encode()


def cached_raw_file(rows: int, form: str = "document") -> Path:
    """The day's bytes on disk (generated once per size and form), so every variant's process reads identical input.

    `form` is "document" (what the IO manager stores) or "ndjson" (the same rows, one per line).
    """
    suffix, make = {"document": ("json", synthetic_raw_bytes), "ndjson": ("ndjson", synthetic_ndjson_bytes)}[form]
    path = CACHE_DIR / f"raw-{rows}.{suffix}"
    if not path.exists():
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_bytes(make(rows))
        partial.replace(path)
    return path
