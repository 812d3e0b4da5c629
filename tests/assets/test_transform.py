"""Raw city-day JSON → clean table: every kind of bad row dropped and counted, types and order fixed."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from assets.transform import CleanResult, RawDataError, clean_city_day_json

WINDOW_START = datetime(2026, 11, 26, 23, tzinfo=UTC)  # 2026-11-27 00:00 in Vienna
WINDOW_END = datetime(2026, 11, 27, 23, tzinfo=UTC)


def hour(value: float | None, hour_index: int, parameter: str = "pm25", units: str = "µg/m³", flagged: bool = False):
    start = WINDOW_START + timedelta(hours=hour_index)
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    return {
        "value": value,
        "flagInfo": {"hasFlags": flagged},
        "parameter": {"id": 2, "name": parameter, "units": units, "displayName": None},
        "period": {
            "label": "1hour",
            "interval": "01:00:00",
            "datetimeFrom": {"utc": start.strftime(stamp), "local": "ignored"},
            "datetimeTo": {"utc": (start + timedelta(hours=1)).strftime(stamp), "local": "ignored"},
        },
        "coordinates": None,
    }


def city_day(measurements: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "request": {"window_start_utc": "2026-11-26T23:00:00Z", "window_end_utc": "2026-11-27T23:00:00Z"},
        "stats": {"rows_outside_window": 0},
        "locations": [
            {"id": 11, "name": "Wien Süd", "coordinates": {"latitude": 48.1, "longitude": 16.3}},
            {"id": 12, "name": "Wien Nord", "coordinates": {"latitude": 48.3, "longitude": 16.4}},
        ],
        "measurements": measurements,
    }


def clean(raw: dict[str, Any]) -> CleanResult:
    """The transform on the bytes the IO manager hands over: the raw asset's JSON, unparsed."""
    return clean_city_day_json(json.dumps(raw, ensure_ascii=False).encode())


def test_each_kind_of_bad_row_is_dropped_and_counted_once() -> None:
    raw = city_day(
        [
            {
                "location_id": 12,
                "sensor_id": 202,
                "results": [hour(5.0, 3, "no2"), hour(-1.0, 4, "no2"), hour(6.0, 3, "no2")],  # last: duplicate
            },
            {
                "location_id": 11,
                "sensor_id": 101,
                "results": [
                    hour(10.5, 1, flagged=True),
                    hour(None, 2),
                    hour(-999.0, 5),
                    hour(7.0, 24),  # ends at 24:00 local + 1 h: outside the day
                    hour(8.0, 0),
                ],
            },
            {"location_id": 11, "sensor_id": 103, "results": [hour(21.0, 0, "temperature", "c")]},
        ]
    )
    result = clean(raw)
    assert result.rows_in == 9
    assert result.dropped == {
        "outside_window": 1,
        "no_period": 0,
        "non_finite_value": 0,
        "null_value": 1,
        "sentinel_value": 1,
        "negative_value": 1,
        "other_parameter": 1,
        "no_coordinates": 0,
        "duplicate": 1,
    }
    frame = result.frame
    # Sorted by sensor, then period end: 101 @ hour 0, 101 @ hour 1, 202 @ hour 3 (first of the duplicates kept).
    assert frame["sensor_id"].tolist() == [101, 101, 202]
    assert frame["value"].tolist() == [8.0, 10.5, 5.0]
    assert frame["has_flags"].tolist() == [False, True, False]
    assert frame["location_name"].tolist() == ["Wien Süd", "Wien Süd", "Wien Nord"]
    assert frame["units"].tolist() == ["µg/m³", "µg/m³", "µg/m³"]
    assert frame["period_end"].tolist() == [
        pd.Timestamp("2026-11-27T00:00:00Z"),
        pd.Timestamp("2026-11-27T01:00:00Z"),
        pd.Timestamp("2026-11-27T03:00:00Z"),
    ]
    assert frame["latitude"].tolist() == [48.1, 48.1, 48.3]


def test_rows_the_client_dropped_are_added_to_outside_window() -> None:
    raw = city_day([{"location_id": 11, "sensor_id": 101, "results": [hour(3.0, 1), hour(4.0, 24)]}])
    raw["stats"]["rows_outside_window"] = 4
    result = clean(raw)
    assert result.dropped["outside_window"] == 5  # 4 dropped by the client + hour 24, which ends after the window
    assert result.frame["value"].tolist() == [3.0]
    assert result.rows_in == 6  # 2 rows in the document + the 4 the client dropped: every row accounted for
    assert result.rows_in == len(result.frame) + sum(result.dropped.values())


def test_column_types_follow_the_documented_schema() -> None:
    frame = clean(city_day([{"location_id": 11, "sensor_id": 101, "results": [hour(1.0, 0)]}])).frame
    assert {name: str(dtype) for name, dtype in frame.dtypes.items()} == {
        "location_id": "int64",
        "location_name": "string",
        "sensor_id": "int64",
        "parameter": "string",
        "units": "string",
        "value": "float64",
        "period_start": "datetime64[us, UTC]",
        "period_end": "datetime64[us, UTC]",
        "latitude": "float64",
        "longitude": "float64",
        "has_flags": "bool",
    }


def test_an_empty_day_gives_an_empty_table_with_the_schema() -> None:
    result = clean(city_day([]))
    assert result.frame.empty
    assert result.rows_in == 0
    assert list(result.frame.columns)[:3] == ["location_id", "location_name", "sensor_id"]


def test_input_order_does_not_change_the_output() -> None:
    rows = [hour(float(i), i) for i in range(6)]
    forward = clean(city_day([{"location_id": 11, "sensor_id": 101, "results": rows}])).frame
    backward = clean(city_day([{"location_id": 11, "sensor_id": 101, "results": rows[::-1]}])).frame
    pd.testing.assert_frame_equal(forward, backward)


def test_a_row_without_a_period_is_dropped_and_counted_like_the_client_does() -> None:
    broken = hour(1.0, 0)
    del broken["period"]
    result = clean(city_day([{"location_id": 11, "sensor_id": 101, "results": [broken, hour(2.0, 1)]}]))
    assert list(result.frame["value"]) == [2.0]
    assert result.dropped["no_period"] == 1


def test_a_field_of_the_wrong_type_names_the_sensor_and_field_and_not_a_useless_rematerialize() -> None:
    broken = hour(1.0, 0)
    broken["value"] = "high"
    with pytest.raises(RawDataError, match=r"sensor 101\b.*results\[0\]\.value") as raised:
        clean(city_day([{"location_id": 11, "sensor_id": 101, "results": [broken]}]))
    assert "rematerializing fetches the same shape again" in str(raised.value)


def test_a_sensor_of_an_unknown_location_is_an_error() -> None:
    with pytest.raises(RawDataError, match="location 99"):
        clean(city_day([{"location_id": 99, "sensor_id": 101, "results": [hour(1.0, 0)]}]))


def test_what_the_api_may_send_null_is_decoded_and_unusable_rows_are_dropped_and_counted() -> None:
    no_period = hour(4.0, 6)
    no_period["period"] = None
    null_stamp = hour(4.5, 7)
    null_stamp["period"]["datetimeTo"] = {"utc": None, "local": None}
    no_parameter = hour(5.0, 8)
    no_parameter["parameter"] = None
    raw = city_day(
        [
            {
                "location_id": 13,
                "sensor_id": 301,
                "results": [hour(12.0, 0), hour(13.0, 1, units="ug/m3"), no_period, null_stamp, no_parameter],
            }
        ]
    )
    raw["locations"].append({"id": 13, "name": None, "coordinates": {"latitude": 48.2, "longitude": 16.2}})
    raw["stats"] = {"rows_outside_window": 2, "rows_without_period": 3, "rows_non_finite": 4}
    result = clean(raw)
    assert list(result.frame["value"]) == [12.0, 13.0]
    assert list(result.frame["units"]) == ["µg/m³", "µg/m³"]  # 'ug/m3' is the same unit, in the one spelling
    assert list(result.frame["location_name"]) == ["", ""]  # a null name keeps the data
    assert result.rows_without_location_name == 5
    assert result.dropped["no_period"] == 2 + 3  # here, and at the client
    assert result.dropped["non_finite_value"] == 4
    assert result.dropped["outside_window"] == 2
    assert result.dropped["other_parameter"] == 1
    assert result.rows_in == len(result.frame) + sum(result.dropped.values())
