"""Raw OpenAQ city-day JSON → the clean measurements table, counting every row it drops and why.

Columns are gathered in one pass over plain Python lists and filtered with numpy masks: no per-row pandas work.
`clean_city_day_json` decodes the stored bytes straight into typed structs holding only the fields used (msgspec),
which is what makes a million sensor-hours a day cheap in time and memory (see benchmarks/).
`clean_city_day_chunks` does the same on the document as it streams in: the head (request, stats, locations) is
decoded once, then blocks of sensor groups are parsed by pyarrow on its own threads (`transform_arrow.py`; msgspec
holds the GIL, so it ran on one core), group by group by msgspec from the first block pyarrow cannot answer for
exactly as msgspec would; the columns are packed into arrays block by block, so memory holds the clean table and
a few blocks, never the document or its rows as objects.
"""

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

import msgspec
import numpy as np
import pandas as pd

from assets.measurement_schema import PHYSICAL_MAXIMUM, SENTINELS, SORT_KEYS
from assets.openaq.units import canonical_parameter, canonical_units
from assets.transform_arrow import GROUP_MARK, Splitter, gather_blocks, table_columns
from assets.transform_columns import TEXT_COLUMNS, UTC_FORMAT, Packer, parse_stamps

DROP_REASONS = (
    "no_period",
    "outside_window",
    "non_finite_value",
    "null_value",
    "sentinel_value",
    "negative_value",
    "other_parameter",
    "no_coordinates",
    "duplicate",
)
_GROUP_PATH = re.compile(r"\$\.measurements\[(\d+)\]")


class RawDataError(ValueError):
    """The raw JSON does not have the shape the OpenAQ v3 API documents; the message names the field."""


@dataclass(frozen=True)
class CleanResult:
    frame: pd.DataFrame
    rows_in: int
    dropped: dict[str, int]
    rows_without_location_name: int = 0


@lru_cache(maxsize=256)
def _parameter_key(name: str | None, units: str | None) -> tuple[str, str]:
    """(parameter, units) in the project's spelling ('ug/m3' -> 'µg/m³'); missing parts as ''."""
    return canonical_parameter(name or ""), canonical_units(units or "")


def _utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(datetime.strptime(text, UTC_FORMAT)).tz_localize("UTC")


# Every field the API documents as nullable (or has been seen null) is optional here: decoding what the API may
# send never fails; a row that cannot be used is dropped and counted instead (DROP_REASONS).
class _Stamp(msgspec.Struct):
    utc: str | None = None


class _Period(msgspec.Struct, rename="camel"):
    datetime_from: _Stamp | None = None
    datetime_to: _Stamp | None = None


class _Parameter(msgspec.Struct):
    name: str | None = None
    units: str | None = None


class _FlagInfo(msgspec.Struct, rename="camel"):
    has_flags: bool | None = None


class _HourRow(msgspec.Struct, rename="camel"):
    value: float | None = None
    parameter: _Parameter | None = None
    period: _Period | None = None
    flag_info: _FlagInfo | None = None


class _Group(msgspec.Struct):
    location_id: int
    sensor_id: int
    results: list[_HourRow]


class _Coordinates(msgspec.Struct):
    latitude: float | None = None
    longitude: float | None = None


class _Location(msgspec.Struct):
    id: int
    name: str | None = None  # the API allows null: the row is kept with an empty location_name (counted)
    coordinates: _Coordinates | None = None


class _Request(msgspec.Struct):
    window_start_utc: str
    window_end_utc: str


class _Stats(msgspec.Struct):
    """What the client dropped already, added to this step's counts so that every drop is in one place."""

    rows_outside_window: int = 0
    rows_without_period: int = 0
    rows_non_finite: int = 0


class _RawDay(msgspec.Struct):
    """Only the fields the clean table uses; every other field of the stored document is skipped while parsing."""

    request: _Request
    locations: list[_Location]
    measurements: list[_Group]
    stats: _Stats = msgspec.field(default_factory=_Stats)


_DECODER = msgspec.json.Decoder(_RawDay)


class _Head(msgspec.Struct):
    request: _Request
    locations: list[_Location]
    stats: _Stats = msgspec.field(default_factory=_Stats)


_HEAD_DECODER = msgspec.json.Decoder(_Head)
_GROUP_DECODER = msgspec.json.Decoder(_Group)
# Where the raw step's writer puts the measurements (last, compact separators) and how one group follows another.
# In valid JSON these byte runs cannot lie inside a string (every '"' in a string is escaped); one may still lie in
# a row's nested object, which the decoder then reports as truncated, and the next candidate is tried.
_MEASUREMENTS_MARK = b',"measurements":['
_GROUP_MARK = GROUP_MARK
_TRUNCATED = "Input data was truncated"
_BATCH_ROWS = 50_000


def _stamp_text(stamp: _Stamp | None) -> str:
    return stamp.utc if stamp is not None and stamp.utc else ""


def _gather(day: _RawDay) -> dict[str, list[Any]]:
    """One pass over every hour row of the decoded day, into plain column lists."""
    locations = {location.id: location for location in day.locations}
    columns: dict[str, list[Any]] = {name: [] for name in TEXT_COLUMNS}
    _gather_groups(day.measurements, locations, columns)
    return columns


def _gather_groups(groups: Iterable[_Group], locations: dict[int, _Location], columns: dict[str, list[Any]]) -> None:
    for group in groups:
        location = locations.get(group.location_id)
        if location is None:
            raise _missing_location(group.sensor_id, group.location_id)
        rows = group.results
        count = len(rows)
        coordinates = location.coordinates or _Coordinates()
        columns["location_id"] += [location.id] * count
        columns["location_name"] += [location.name or ""] * count
        columns["sensor_id"] += [group.sensor_id] * count
        columns["latitude"] += [coordinates.latitude] * count
        columns["longitude"] += [coordinates.longitude] * count
        keys = [_parameter_key(row.parameter.name, row.parameter.units) if row.parameter else ("", "") for row in rows]
        columns["parameter"] += [key[0] for key in keys]
        columns["units"] += [key[1] for key in keys]
        columns["value"] += [row.value for row in rows]
        columns["has_flags"] += [bool(row.flag_info and row.flag_info.has_flags) for row in rows]
        columns["period_start_text"] += [_stamp_text(row.period.datetime_from) if row.period else "" for row in rows]
        columns["period_end_text"] += [_stamp_text(row.period.datetime_to) if row.period else "" for row in rows]


def clean_city_day_json(data: bytes) -> CleanResult:
    """Typed, deduplicated, sorted sensor-hours inside the requested window from the stored city-day JSON bytes.

    Drops are counted per reason in `DROP_REASONS`; rows the client already dropped as outside the window
    (`stats.rows_outside_window`) are added to that count and to `rows_in`.
    """
    try:
        day = _DECODER.decode(data)
    except msgspec.DecodeError as error:
        raise RawDataError(
            f"raw measurements do not have the shape this step decodes{_where(data, str(error))}: {error}; "
            "the stored document is not what openaq/raw_measurements writes (or the API changed a field this step "
            "needs): fix assets/transform.py or the raw step, since rematerializing fetches the same shape again"
        ) from None
    columns = _gather(day)
    unnamed = sum(1 for name in columns["location_name"] if not name)
    return _finish(columns, day.request, day.stats, unnamed)


def _finish(columns: dict[str, Any], request: _Request, stats: _Stats, unnamed: int) -> CleanResult:
    result = _clean(columns, request.window_start_utc, request.window_end_utc)
    client_drops = {
        "outside_window": stats.rows_outside_window,
        "no_period": stats.rows_without_period,
        "non_finite_value": stats.rows_non_finite,
    }
    for reason, count in client_drops.items():
        result.dropped[reason] += count
    # so that rows_in == clean rows + every drop, the client's included
    return replace(result, rows_in=result.rows_in + sum(client_drops.values()), rows_without_location_name=unnamed)


def clean_city_day_chunks(chunks: Iterable[bytes]) -> CleanResult:
    """`clean_city_day_json` on the stored document as it streams in, in memory bounded by the clean table.

    A document not laid out as the raw step writes it (measurements last, compact separators) is read whole and
    decoded as `clean_city_day_json` does, so any valid document gives the same result either way.
    """
    stream = iter(chunks)
    buffer = bytearray()
    head: _Head | None = None
    for chunk in stream:
        buffer += chunk
        head, offset = _find_head(buffer)
        if head is not None:
            del buffer[:offset]
            break
        if offset < 0:  # not the raw step's layout: decode it whole
            break
    if head is None:
        buffer.extend(b"".join(stream))
        return clean_city_day_json(bytes(buffer))
    locations = {location.id: location for location in head.locations}
    packed = Packer()
    unnamed = 0

    def add(columns: dict[str, Any]) -> None:
        nonlocal unnamed
        unnamed += int(np.count_nonzero(np.asarray(columns["location_name"], dtype=object) == ""))
        packed.add(columns)

    def decoded(rest: bytearray, stream: Iterator[bytes], index: int) -> None:
        columns: dict[str, list[Any]] = {name: [] for name in TEXT_COLUMNS}
        for group in _groups(rest, stream, index):
            _gather_groups((group,), locations, columns)
            if len(columns["value"]) >= _BATCH_ROWS:
                add(columns)
                columns = {name: [] for name in TEXT_COLUMNS}
        add(columns)

    def arrow_columns(table: Any, first_index: int) -> dict[str, Any]:
        return table_columns(table, locations, _missing_location)

    gather_blocks(Splitter(buffer, stream), arrow_columns, add, decoded)
    return _finish(packed.columns(), head.request, head.stats, unnamed)


def _missing_location(sensor_id: int, location_id: int) -> RawDataError:
    return RawDataError(f"sensor {sensor_id} refers to location {location_id} not in raw data")


def _find_head(buffer: bytearray) -> tuple[_Head | None, int]:
    """(head, offset of the first group) once the head is in `buffer`; (None, 0) to read more; (None, -1) when
    the document is not laid out as the raw step writes it."""
    if not buffer.startswith(b'{"request":'[: len(buffer)]):
        return None, -1
    start = 0
    while (mark := buffer.find(_MEASUREMENTS_MARK, start)) >= 0:
        try:
            head = _HEAD_DECODER.decode(bytes(buffer[:mark]) + b"}")
        except msgspec.DecodeError as error:
            if _TRUNCATED in str(error):  # the mark lay inside a location: look further
                start = mark + 1
                continue
            return None, -1
        return head, mark + len(_MEASUREMENTS_MARK)
    return None, 0


def _groups(buffer: bytearray, stream: Iterator[bytes], index: int = 0) -> Iterator[_Group]:
    """Each group of the measurements list from group `index` on, decoded alone; `buffer` starts at that group
    (right after `"measurements":[` for the first)."""
    search = 0
    exhausted = False
    while True:
        mark = buffer.find(_GROUP_MARK, search)
        if mark < 0 and not exhausted:
            chunk = next(stream, None)
            if chunk is None:
                exhausted = True
            else:
                search = max(len(buffer) - len(_GROUP_MARK), 0)
                buffer += chunk
            continue
        if mark < 0:  # the last group: the document ends with `]}`
            tail = bytes(buffer).rstrip()
            if tail == b"]}" and index == 0:
                return
            if not tail.endswith(b"]}"):
                raise RawDataError(
                    "raw measurements do not end with the measurements list as openaq/raw_measurements writes it; "
                    "rematerialize openaq/raw_measurements for this partition"
                )
            yield _decode_group(tail[:-2], index, final=True)  # type: ignore[misc]
            return
        group = _decode_group(bytes(buffer[: mark + 1]), index, final=False)
        if group is None:  # the mark lay inside a row: the group goes on
            search = mark + 1
            continue
        yield group
        index += 1
        del buffer[: mark + 2]
        search = 0


def _decode_group(data: bytes, index: int, *, final: bool) -> _Group | None:
    try:
        return _GROUP_DECODER.decode(data)
    except msgspec.DecodeError as error:
        message = str(error)
        if _TRUNCATED in message and not final:
            return None
        where = message.replace("`$", f"`$.measurements[{index}]")
        sensor = re.match(rb'\{"location_id":-?\d+,"sensor_id":(-?\d+)', data)
        in_sensor = f" in sensor {int(sensor.group(1))}" if sensor else ""
        raise RawDataError(
            f"raw measurements do not have the shape this step decodes{in_sensor}: {where}; "
            "the stored document is not what openaq/raw_measurements writes (or the API changed a field this step "
            "needs): fix assets/transform.py or the raw step, since rematerializing fetches the same shape again"
        ) from None


def _where(data: bytes, message: str) -> str:
    """` in sensor N` when the decode error lies inside a sensor's group, so the message names the sensor."""
    match = _GROUP_PATH.search(message)
    if match is None:
        return ""
    try:  # the error path only: parse the whole document once more to find the group's sensor id
        group = json.loads(data)["measurements"][int(match.group(1))]
        return f" in sensor {int(group['sensor_id'])}"
    except (ValueError, KeyError, IndexError, TypeError):
        return ""


def _clean(columns: dict[str, Any], window_start_text: str, window_end_text: str) -> CleanResult:
    window_start = _utc(window_start_text)
    window_end = _utc(window_end_text)
    # A missing or malformed stamp becomes NaT and its row is dropped as no_period.
    start_text, end_text = columns.pop("period_start_text"), columns.pop("period_end_text")
    period_start, period_end = parse_stamps(start_text), parse_stamps(end_text)
    values = np.array(columns["value"], dtype=np.float64)  # JSON null becomes NaN here
    pairs = zip(columns["parameter"], columns["units"], strict=True)
    supported = np.array([pair in PHYSICAL_MAXIMUM for pair in pairs], dtype=bool)
    latitudes = np.array(columns["latitude"], dtype=np.float64)  # a location without coordinates gives NaN
    longitudes = np.array(columns["longitude"], dtype=np.float64)

    dropped: dict[str, int] = {}
    keep = np.ones(len(values), dtype=bool)
    for reason, bad in (
        ("no_period", np.asarray(period_start.isna()) | np.asarray(period_end.isna())),
        ("outside_window", (period_start < window_start) | (period_end > window_end)),
        ("non_finite_value", np.isinf(values)),
        ("null_value", np.isnan(values)),
        ("sentinel_value", np.isin(values, list(SENTINELS))),
        ("negative_value", values < 0),
        ("other_parameter", ~supported),
        ("no_coordinates", np.isnan(latitudes) | np.isnan(longitudes)),
    ):
        hit = keep & np.asarray(bad)
        dropped[reason] = int(hit.sum())
        keep &= ~hit

    frame = pd.DataFrame(
        {
            "location_id": np.array(columns["location_id"], dtype=np.int64),
            "location_name": pd.array(columns["location_name"], dtype="string"),
            "sensor_id": np.array(columns["sensor_id"], dtype=np.int64),
            "parameter": pd.array(columns["parameter"], dtype="string"),
            "units": pd.array(columns["units"], dtype="string"),
            "value": values,
            "period_start": period_start,
            "period_end": period_end,
            "latitude": latitudes,
            "longitude": longitudes,
            "has_flags": np.array(columns["has_flags"], dtype=bool),
        }
    )[keep]
    frame = frame.sort_values(list(SORT_KEYS), kind="stable")
    duplicated = frame.duplicated(subset=list(SORT_KEYS), keep="first")
    dropped["duplicate"] = int(duplicated.sum())
    frame = frame[~duplicated].reset_index(drop=True)
    return CleanResult(frame=frame, rows_in=len(values), dropped=dropped)
