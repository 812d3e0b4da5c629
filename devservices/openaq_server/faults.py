"""Fault injection for the local OpenAQ server: tests pick per test which failures the next requests meet."""

from __future__ import annotations

import copy
import fnmatch
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

FaultKind = Literal[
    "status",  # answer with `status` and the real API's body for it (or `body`)
    "delay",  # sleep `delay_s` before answering normally (longer than the client's read timeout)
    "drop",  # close the socket without answering
    "truncate",  # a 200 whose JSON body is cut in half
    "invalid_json",  # a 200 declared application/json whose body is not valid JSON (a cut and garbled envelope)
    "html_page",  # a 200 text/html web page: not an API at all (wrong OPENAQ_BASE_URL, captive portal)
    "html_as_json",  # the same web page declared application/json (a proxy or portal that mislabels it)
    "duplicate_key",  # the real envelope with a second `"results": []` key after the first (last one wins in JSON)
    "deep_nesting",  # a 200 JSON body whose `results` is `rows` arrays nested in each other
    "not_openaq",  # a 200 JSON body of some other API (no v3 envelope)
    "trickle",  # the real answer, its body sent one byte every `delay_s` seconds (never ends in practice)
    "trickle_head",  # the same from the status line on: headers trickle too
    "cut",  # a chunked 200 whose connection closes after the first chunk (ChunkedEncodingError)
    "null_values",  # data faults, /hours only: `rows` rows per page altered ...
    "negative_values",
    "sentinel_values",  # value -999
    "duplicate_rows",  # `rows` copies of the page's first rows appended
    "outside_window",  # `rows` rows whose period ends before datetime_from appended
    "repeat_page",  # page N (N >= 2) answers with page N-1's rows
    "non_finite",  # `rows` rows' value sent as the literal NaN (or `body`: "Infinity", "-Infinity")
    "missing_hours",  # only the first `rows` hours of the asked window are sent, whatever the paging (gaps)
    "units_spelling",  # /hours rows of the sensor give `units` as their units (e.g. 'ug/m3'); see LOCATION_KINDS too
    # location faults, /v3/locations only (`location_id` picks one, else every location of the page):
    "null_location_name",  # `name` is null, as the API allows
    "stale_datetime_last",  # `datetimeLast` lags `days_behind` days behind the data /hours still has
    "sensor_units_spelling",  # the sensors' parameter.units spelled `units` (e.g. 'ug/m3')
]
DATA_KINDS = frozenset(
    {
        "null_values",
        "negative_values",
        "sentinel_values",
        "duplicate_rows",
        "outside_window",
        "repeat_page",
        "non_finite",
        "missing_hours",
        "units_spelling",
    }
)
LOCATION_KINDS = frozenset({"null_location_name", "stale_datetime_last", "sensor_units_spelling"})

# Bodies as the real API (or its gateway) sends them.
REAL_BODIES: dict[int, Any] = {
    401: {"detail": "Invalid credentials"},
    403: {"detail": "Forbidden"},
    404: {"detail": "Not Found"},
    408: {"detail": "Request timed out: the database query took too long"},
    410: {"detail": "Gone. Version 1 and Version 2 API endpoints are retired and no longer available."},
    422: {
        "detail": [
            {
                "type": "less_than_equal",
                "loc": ["query", "limit"],
                "msg": "Input should be less than or equal to 1000",
                "input": 100000,
                "ctx": {"le": 1000},
                "url": "https://errors.pydantic.dev/2.1.2/v/less_than_equal",
            }
        ]
    },
    429: {"detail": "Too many requests"},
    500: {"detail": "Internal Server Error"},
    502: {"message": "Internal server error"},
    503: {"message": "Service Unavailable"},
    504: {"message": "Endpoint request timed out"},
}
PLAIN_STRING_422 = "datetime_to must be after datetime_from"


@dataclass
class Fault:
    """One injected failure: matches a path pattern (fnmatch) and optionally a sensor id, `times` times or always."""

    kind: FaultKind
    path: str = "/v3/*"
    sensor_id: int | None = None
    status: int = 503
    body: Any = None
    times: int | None = 1
    delay_s: float = 1.0
    rows: int = 1
    reset_s: int = 1
    headers: dict[str, str] | None = None  # "status" only: sent on top of the usual headers (e.g. Location)
    location_id: int | None = None  # location faults: the one location altered (None: all)
    units: str = "ug/m3"  # units_spelling / sensor_units_spelling
    days_behind: int = 3  # stale_datetime_last (or `body`: the exact UTC time to report)
    hits: int = field(default=0, init=False)
    rows_altered: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.kind == "status" and self.status not in REAL_BODIES and self.body is None:
            raise ValueError(f"Fault(status={self.status}): no real body known for it; pass body=...")

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def matches(self, path: str, sensor_id: int | None) -> bool:
        if self.exhausted or not fnmatch.fnmatchcase(path, self.path):
            return False
        return self.sensor_id is None or self.sensor_id == sensor_id

    def response_body(self) -> Any:
        return copy.deepcopy(self.body if self.body is not None else REAL_BODIES[self.status])


class FaultPlan:
    """Thread-safe list of faults; the first matching, applicable fault wins and records its hit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def apply_locations(self, path: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Alter one page of /v3/locations rows with every matching location fault."""
        with self._lock:
            for fault in self._faults:
                if fault.kind in LOCATION_KINDS and fault.matches(path, None):
                    rows, count = _apply_location(fault, rows)
                    if count:
                        fault.hits += 1
                        fault.rows_altered += count
        return rows

    def has_data_faults(self, path: str, sensor_id: int) -> bool:
        with self._lock:
            return any(f.kind in DATA_KINDS and f.matches(path, sensor_id) for f in self._faults)

    def take_transport(self, path: str, sensor_id: int | None) -> Fault | None:
        """The first matching non-data fault, with its hit recorded."""
        with self._lock:
            for fault in self._faults:
                if fault.kind not in DATA_KINDS | LOCATION_KINDS and fault.matches(path, sensor_id):
                    fault.hits += 1
                    return fault
        return None

    def apply_data(
        self, path: str, sensor_id: int, page: int, rows: list[dict[str, Any]], ctx: DataContext
    ) -> list[dict[str, Any]]:
        """Alter one page of /hours rows with every matching data fault that applies to it."""
        with self._lock:
            for fault in self._faults:
                if fault.kind in DATA_KINDS and fault.matches(path, sensor_id):
                    altered = _apply_one(fault, page, rows, ctx)
                    if altered is not None:
                        rows, count = altered
                        fault.hits += 1
                        fault.rows_altered += count
        return rows


@dataclass(frozen=True)
class DataContext:
    """What a data fault needs to know to build rows: the previous page and rows outside the window."""

    previous_page_rows: list[dict[str, Any]]
    rows_before_window: list[dict[str, Any]]
    window_after: datetime


def _apply_one(
    fault: Fault, page: int, rows: list[dict[str, Any]], ctx: DataContext
) -> tuple[list[dict[str, Any]], int] | None:
    if fault.kind == "repeat_page":
        if page < 2 or not ctx.previous_page_rows:
            return None
        return copy.deepcopy(ctx.previous_page_rows), len(ctx.previous_page_rows)
    if fault.kind == "outside_window":
        extra = copy.deepcopy(ctx.rows_before_window[: fault.rows])
        return (rows + extra, len(extra)) if extra else None
    if not rows:
        return None
    chosen = rows[: fault.rows]
    if fault.kind == "missing_hours":
        kept = [row for row in rows if _hour_index(row, ctx.window_after) < fault.rows]
        return (copy.deepcopy(kept), len(rows) - len(kept)) if len(kept) < len(rows) else None
    if fault.kind in ("non_finite", "units_spelling"):
        out = copy.deepcopy(rows)
        for row in out[: fault.rows] if fault.kind == "non_finite" else out:
            if fault.kind == "non_finite":
                row["value"] = float(fault.body or "NaN")  # json.dumps writes NaN / Infinity literals
            else:
                row["parameter"]["units"] = fault.units
        return out, len(chosen) if fault.kind == "non_finite" else len(out)
    if fault.kind == "duplicate_rows":
        return rows + copy.deepcopy(chosen), len(chosen)
    new_value = {"null_values": None, "sentinel_values": -999.0}.get(fault.kind)
    out = copy.deepcopy(rows)
    for row in out[: fault.rows]:
        row["value"] = -abs(row["value"] or 1.0) if fault.kind == "negative_values" else new_value
    return out, len(chosen)


def _apply_location(fault: Fault, rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    out, count = copy.deepcopy(rows), 0
    for row in out:
        if fault.location_id is not None and row["id"] != fault.location_id:
            continue
        count += 1
        if fault.kind == "null_location_name":
            row["name"] = None
        elif fault.kind == "stale_datetime_last":
            last = datetime.fromisoformat(row["datetimeLast"]["utc"]) if row.get("datetimeLast") else None
            if last is not None:
                lagging = min(last, datetime.now(UTC)) - timedelta(days=fault.days_behind)
                if isinstance(fault.body, str):  # an explicit UTC time instead of "days behind now"
                    lagging = datetime.fromisoformat(fault.body)
                row["datetimeLast"] = {"utc": lagging.strftime("%Y-%m-%dT%H:%M:%SZ"), "local": lagging.isoformat()}
        else:
            for sensor in row.get("sensors") or []:
                sensor["parameter"]["units"] = fault.units
    return out, count


def _hour_index(row: dict[str, Any], window_after: datetime) -> int:
    """0 for the first hour of the asked window (its period ends one hour after `datetime_from`), 1 for the next."""
    end = datetime.fromisoformat(row["period"]["datetimeTo"]["utc"].replace("Z", "+00:00"))
    return int((end - window_after) / timedelta(hours=1)) - 1
