"""A whole city-day over real HTTP against the local synthetic server; counts derived by hand from its layout."""

import datetime as dt
import hashlib
import json

import pytest

from assets.openaq import OpenAQClient, OpenAQConfigError, day_window_utc, fetch_city_day
from tests.assets.openaq.conftest import FAST_RETRY
from tests.assets.openaq.synthetic_vienna import (
    RETIRED_AND_NEVER_SENSORS,
    SENSORS_WITHIN_10KM,
    VIENNA,
    WITHIN_10KM,
)


def fetch(client, day, radius_m=10_000, progress=None):
    start, end = day_window_utc(day, "Europe/Vienna")
    return fetch_city_day(client, **VIENNA, radius_m=radius_m, start=start, end=end, progress=progress)


def test_full_city_day_asks_every_sensor_in_the_radius_whatever_datetime_last_says(client, openaq_server):
    seen = []
    doc = fetch(client, dt.date(2026, 11, 27), progress=lambda done, total: seen.append((done, total)))

    assert doc["request"] == {
        **VIENNA,
        "radius_m": 10_000,
        "window_start_utc": "2026-11-26T23:00:00Z",
        "window_end_utc": "2026-11-27T23:00:00Z",
    }
    assert [loc["id"] for loc in doc["locations"]] == WITHIN_10KM
    assert [m["sensor_id"] for m in doc["measurements"]] == sorted(SENSORS_WITHIN_10KM + RETIRED_AND_NEVER_SENSORS)
    assert {m["sensor_id"]: m["location_id"] for m in doc["measurements"]}[9001034] == 900103
    rows = {m["sensor_id"]: len(m["results"]) for m in doc["measurements"]}
    assert {rows[sid] for sid in SENSORS_WITHIN_10KM} == {24}
    assert {rows[sid] for sid in RETIRED_AND_NEVER_SENSORS} == {0}  # asked, and the API has nothing
    # 1 locations page + 16 sensors x 1 hours page; nothing retried.
    assert doc["stats"] == {
        "locations_found": 7,
        "locations_unusable": 0,
        "locations_datetime_last_before_day": 2,
        "sensors": 16,
        "sensors_with_rows": 13,
        "sensors_skipped_no_parameter": 0,
        "sensors_skipped_no_sensor_id": 0,
        "sensors_skipped_other_parameter": 0,
        "sensors_skipped_sensor_listed_twice": 0,
        "requests": 17,
        "pages": 17,
        "rows": 13 * 24,
        "rows_outside_window": 0,
        "rows_without_period": 0,
        "rows_non_finite": 0,
        "retries": 0,
    }
    assert openaq_server.counters.requests == 17
    assert seen[-1] == (16, 16)
    assert sorted(done for done, _ in seen) == list(range(1, 17))
    json.dumps(doc)  # JSON-serialisable as promised


def test_rows_are_exactly_what_the_api_sent(client):
    doc = fetch(client, dt.date(2026, 11, 27))
    first = doc["measurements"][0]["results"][0]
    assert first["period"]["datetimeFrom"] == {"utc": "2026-11-26T23:00:00Z", "local": "2026-11-27T00:00:00+01:00"}
    assert first["period"]["datetimeTo"] == {"utc": "2026-11-27T00:00:00Z", "local": "2026-11-27T01:00:00+01:00"}
    assert first["parameter"] == {"id": 5, "name": "no2", "units": "µg/m³", "displayName": None}
    assert first["coordinates"] is None
    # The synthetic value, derived here from its definition: blake2b-8 of "sensor|period end" scaled into 3..80.
    digest = hashlib.blake2b(b"9001011|2026-11-27T00:00:00Z", digest_size=8).digest()
    expected = 3.0 + 77.0 * int.from_bytes(digest, "big") / 2**64
    assert first["value"] == float(f"{expected:.3g}")
    assert 3.0 <= first["value"] <= 80.0


def test_radius_decides_which_stations_count(client):
    doc = fetch(client, dt.date(2026, 11, 27), radius_m=25_000)
    # The 14 km station joins (2 sensors); the 30 km one never can (radius max is 25 km).
    assert [loc["id"] for loc in doc["locations"]] == [*WITHIN_10KM, 900108]
    assert doc["stats"]["locations_found"] == 8
    assert doc["stats"]["sensors"] == 18


@pytest.mark.parametrize(("day", "hours"), [(dt.date(2026, 3, 29), 23), (dt.date(2026, 10, 25), 25)])
def test_dst_days_have_23_and_25_hours(client, day, hours):
    doc = fetch(client, day)
    counts = {len(m["results"]) for m in doc["measurements"] if m["sensor_id"] not in RETIRED_AND_NEVER_SENSORS}
    assert counts == {hours}
    assert doc["stats"]["rows"] == 13 * hours


def test_retired_station_is_active_for_a_day_it_reported(client):
    doc = fetch(client, dt.date(2019, 6, 30))
    # The retired station's last period ends 2019-06-30T22:00Z, after the window start 2019-06-29T22:00Z.
    assert 900106 in [loc["id"] for loc in doc["locations"]]
    retired = [m for m in doc["measurements"] if m["location_id"] == 900106]
    # Period ends 2019-06-29T23:00Z .. 2019-06-30T22:00Z: 24 hours.
    assert [len(m["results"]) for m in retired] == [24, 24]


def test_paging_of_locations_and_hours(openaq_server):
    client = OpenAQClient(openaq_server.api_key, openaq_server.base_url, page_limit=2, retry=FAST_RETRY)
    doc = fetch(client, dt.date(2026, 10, 25))  # 25 rows per sensor: 13 pages of 2 (the last one partial)
    assert doc["stats"]["locations_found"] == 7
    active = [m for m in doc["measurements"] if m["sensor_id"] in SENSORS_WITHIN_10KM]
    assert [m["sensor_id"] for m in active] == SENSORS_WITHIN_10KM
    assert all(len(m["results"]) == 25 for m in active)
    # 7 locations: pages of 2,2,2,1 = 4 requests; each active sensor 13 pages, the 3 others one empty page.
    assert doc["stats"]["requests"] == 4 + 13 * 13 + 3
    assert doc["stats"]["pages"] == 4 + 13 * 13 + 3
    ends = [r["period"]["datetimeTo"]["utc"] for r in doc["measurements"][0]["results"]]
    assert len(set(ends)) == 25
    assert ends[0] == "2026-10-24T23:00:00Z"
    assert ends[-1] == "2026-10-25T23:00:00Z"


def test_full_page_reports_found_as_string_and_client_keeps_paging(openaq_server):
    client = OpenAQClient(openaq_server.api_key, openaq_server.base_url, page_limit=12, retry=FAST_RETRY)
    start, end = day_window_utc(dt.date(2026, 11, 27), "Europe/Vienna")
    first = client.get_json(
        "/v3/sensors/9001011/hours",
        {"datetime_from": "2026-11-26T23:00:00Z", "datetime_to": "2026-11-27T23:00:00Z", "limit": 12, "page": 1},
        subject="sensor 9001011",
    )
    assert first["meta"]["found"] == ">12"
    hours = client.sensor_hours(9001011, start, end)
    # 24 rows = two full pages of 12, then an empty third page ends the paging.
    assert hours.pages == 3
    assert len(hours.rows) == 24


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"radius_m": 0}, "radius 0"),
        ({"radius_m": 25_001}, "radius 25001"),
        ({"latitude": 91.0}, "latitude 91.0"),
        ({"longitude": 181.0}, "longitude 181.0"),
    ],
)
def test_bad_arguments_fail_before_any_request(client, openaq_server, kwargs, named):
    start, end = day_window_utc(dt.date(2026, 11, 27), "Europe/Vienna")
    args = {**VIENNA, "radius_m": 10_000, **kwargs}
    with pytest.raises(OpenAQConfigError, match=named):
        fetch_city_day(client, **args, start=start, end=end)
    assert openaq_server.counters.requests == 0


def test_sensors_are_picked_by_parameter_name_and_units(client, openaq_server):
    start, end = day_window_utc(dt.date(2026, 11, 27), "Europe/Vienna")
    doc = fetch_city_day(
        client, **VIENNA, radius_m=10_000, start=start, end=end, parameters={("pm25", "µg/m³"), ("o3", "ppm")}
    )
    # pm25: North-East 3rd sensor, South 1st, North 2nd, the never-reported station's; o3 in ppm: West 2nd only.
    assert [m["sensor_id"] for m in doc["measurements"]] == [9001023, 9001031, 9001042, 9001052, 9001071]
    assert doc["stats"]["sensors"] == 5
    assert doc["stats"]["sensors_skipped_other_parameter"] == 16 - 5  # counted, not silently left out
    assert doc["stats"]["requests"] == 1 + 5  # no request for a sensor of another parameter
