"""`clean_city_day_json` on the stored bytes: what JSON decoding accepts, drops and refuses."""

import json

import pytest

from assets.transform import DROP_REASONS, RawDataError, clean_city_day_json
from assets.validation import schema_problems
from tests.assets.test_transform import city_day, hour


def _as_stored(raw: dict) -> bytes:
    return json.dumps(raw, ensure_ascii=False, separators=(",", ":")).encode()


def test_counts_match_a_hand_count() -> None:
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
    result = clean_city_day_json(_as_stored(raw))
    assert result.rows_in == 7
    # by hand: one null, one sentinel, hour 24 ends after the window, one duplicate of sensor 202 at hour 3
    assert result.dropped == {
        "outside_window": 1,
        "no_period": 0,
        "non_finite_value": 0,
        "null_value": 1,
        "sentinel_value": 1,
        "negative_value": 0,
        "other_parameter": 0,
        "no_coordinates": 0,
        "duplicate": 1,
    }
    assert tuple(result.dropped) == DROP_REASONS  # the asset's metadata emits dropped_<reason> in this order


def test_integer_values_and_flagless_rows_are_accepted() -> None:
    row = hour(3.0, 1)
    row["value"] = 3
    del row["flagInfo"]
    raw = city_day([{"location_id": 11, "sensor_id": 101, "results": [row]}])
    frame = clean_city_day_json(_as_stored(raw)).frame
    assert frame["value"].tolist() == [3.0]
    assert frame["has_flags"].tolist() == [False]


def test_rows_of_locations_without_coordinates_are_dropped_and_counted() -> None:
    raw = city_day(
        [
            {"location_id": 11, "sensor_id": 101, "results": [hour(1.0, 0), hour(None, 1)]},
            {"location_id": 12, "sensor_id": 202, "results": [hour(2.0, 0)]},
            {"location_id": 13, "sensor_id": 303, "results": [hour(3.0, 0)]},
        ]
    )
    del raw["locations"][0]["coordinates"]  # Wien Süd: no coordinates object at all
    raw["locations"][1]["coordinates"] = {"latitude": None, "longitude": 16.4}  # Wien Nord: latitude null
    raw["locations"].append({"id": 13, "name": "Wien Mitte", "coordinates": {"latitude": 48.2, "longitude": 16.38}})
    result = clean_city_day_json(_as_stored(raw))
    assert result.rows_in == 4
    # sensor 101's null-valued hour counts as null_value (checked first); its other hour and 202's have no place
    assert result.dropped["null_value"] == 1
    assert result.dropped["no_coordinates"] == 2
    assert result.frame["sensor_id"].tolist() == [303]
    assert result.frame[["latitude", "longitude"]].values.tolist() == [[48.2, 16.38]]
    assert schema_problems(result.frame) == []  # the day still passes the blocking schema check


def test_a_row_of_the_wrong_shape_names_the_field_and_where() -> None:
    row = hour(3.0, 1)
    row["period"] = "yesterday"
    raw = city_day([{"location_id": 11, "sensor_id": 101, "results": [row]}])
    with pytest.raises(RawDataError, match=r"measurements\[0\]\.results\[0\]\.period.*fix assets/transform.py"):
        clean_city_day_json(_as_stored(raw))


def test_a_sensor_of_an_unknown_location_is_an_error() -> None:
    raw = city_day([{"location_id": 99, "sensor_id": 101, "results": [hour(3.0, 1)]}])
    with pytest.raises(RawDataError, match="sensor 101 refers to location 99"):
        clean_city_day_json(_as_stored(raw))


def test_bytes_that_are_not_json_are_an_error() -> None:
    with pytest.raises(RawDataError, match="the shape this step decodes"):
        clean_city_day_json(b"{not json")
