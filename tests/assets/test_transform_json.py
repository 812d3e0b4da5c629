"""`clean_measurements_json` (the stored bytes, decoded field by field) behaves exactly like `clean_measurements`."""

import json

import pytest

from assets.transform import RawDataError, clean_measurements, clean_measurements_json
from tests.assets.test_transform import city_day, hour


def _as_stored(raw: dict) -> bytes:
    return json.dumps(raw, ensure_ascii=False, separators=(",", ":")).encode()


def test_same_table_and_counts_as_the_dict_path() -> None:
    raw = city_day(
        [
            {"location_id": 12, "sensor_id": 202, "results": [hour(5.0, 3, "no2"), hour(6.0, 3, "no2")]},
            {
                "location_id": 11,
                "sensor_id": 101,
                "results": [hour(10.5, 1, flagged=True), hour(None, 2), hour(-999.0, 5), hour(7.0, 24), hour(8.0, 0)],
            },
        ]
    )
    from_dict, from_bytes = clean_measurements(raw), clean_measurements_json(_as_stored(raw))
    assert from_bytes.frame.equals(from_dict.frame)
    assert list(from_bytes.frame.dtypes) == list(from_dict.frame.dtypes)
    assert from_bytes.rows_in == from_dict.rows_in == 7
    assert from_bytes.dropped == from_dict.dropped
    # by hand: one null, one sentinel, hour 24 ends after the window, one duplicate of sensor 202 at hour 3
    assert from_bytes.dropped == {
        "outside_window": 1,
        "null_value": 1,
        "sentinel_value": 1,
        "negative_value": 0,
        "other_parameter": 0,
        "duplicate": 1,
    }


def test_rows_the_client_dropped_count_as_outside_the_window() -> None:
    raw = city_day([{"location_id": 11, "sensor_id": 101, "results": [hour(3.0, 1)]}])
    raw["stats"]["rows_outside_window"] = 4
    assert clean_measurements_json(_as_stored(raw)).dropped["outside_window"] == 4


def test_integer_values_flagless_rows_and_missing_coordinates_are_accepted() -> None:
    row = hour(3.0, 1)
    row["value"] = 3
    del row["flagInfo"]
    raw = city_day([{"location_id": 11, "sensor_id": 101, "results": [row]}])
    del raw["locations"][0]["coordinates"]
    frame = clean_measurements_json(_as_stored(raw)).frame
    assert frame["value"].tolist() == [3.0]
    assert frame["has_flags"].tolist() == [False]
    assert frame["latitude"].isna().all()


def test_a_row_without_a_period_names_the_field_and_where() -> None:
    row = hour(3.0, 1)
    del row["period"]
    raw = city_day([{"location_id": 11, "sensor_id": 101, "results": [row]}])
    with pytest.raises(RawDataError, match=r"`period`.*measurements\[0\]\.results\[0\].*rematerialize"):
        clean_measurements_json(_as_stored(raw))


def test_a_sensor_of_an_unknown_location_is_an_error() -> None:
    raw = city_day([{"location_id": 99, "sensor_id": 101, "results": [hour(3.0, 1)]}])
    with pytest.raises(RawDataError, match="sensor 101 refers to location 99"):
        clean_measurements_json(_as_stored(raw))


def test_bytes_that_are_not_json_are_an_error() -> None:
    with pytest.raises(RawDataError, match="documented shape"):
        clean_measurements_json(b"{not json")
