"""Every fault class against the real local server: recovered within the retry budget, or a clear error at once."""

import datetime as dt
import logging

import pytest

from assets.openaq import (
    OpenAQAuthError,
    OpenAQClient,
    OpenAQConfigError,
    OpenAQGone,
    OpenAQInvalidResponse,
    OpenAQNotFound,
    OpenAQRepeatedPage,
    OpenAQRequestInvalid,
    OpenAQUnavailable,
    day_window_utc,
)
from devservices.openaq_server import Fault
from devservices.openaq_server.faults import PLAIN_STRING_422
from tests.assets.openaq.conftest import FAST_RETRY

SENSOR = 9001011
HOURS = f"/v3/sensors/{SENSOR}/hours"
WINDOW = day_window_utc(dt.date(2026, 11, 27), "Europe/Vienna")


@pytest.mark.parametrize(
    "fault",
    [
        Fault("status", path=HOURS, status=408),
        Fault("status", path=HOURS, status=500),
        Fault("status", path=HOURS, status=502),
        Fault("status", path=HOURS, status=503, times=2),
        Fault("status", path=HOURS, status=504),
        Fault("delay", path=HOURS, delay_s=0.8),  # client read timeout is 0.5 s
        Fault("drop", path=HOURS),
        Fault("truncate", path=HOURS),
        Fault("invalid_json", path=HOURS),
        Fault("status", path=HOURS, status=429, reset_s=1),
    ],
    ids=lambda f: f"{f.kind}-{f.status}" if f.kind == "status" else f.kind,
)
def test_transient_faults_are_retried_and_recovered(client, openaq_server, fault):
    openaq_server.faults.add(fault)
    hours = client.sensor_hours(SENSOR, *WINDOW)
    assert len(hours.rows) == 24
    assert fault.hits == fault.times
    assert openaq_server.counters.requests == 1 + fault.times
    assert client.tally.retries == fault.times


@pytest.mark.parametrize(
    ("status", "body", "error_class", "hint"),
    [
        (401, None, OpenAQAuthError, "Set OPENAQ_API_KEY to a valid"),
        (403, None, OpenAQAuthError, "Do not retry"),
        (404, None, OpenAQNotFound, "Check the id"),
        (410, None, OpenAQGone, "Use /v3/ paths"),
        (422, None, OpenAQRequestInvalid, "Fix the parameters"),
        (422, PLAIN_STRING_422, OpenAQRequestInvalid, "Fix the parameters"),
    ],
)
def test_permanent_errors_raise_at_once(client, openaq_server, status, body, error_class, hint):
    openaq_server.faults.add(Fault("status", path=HOURS, status=status, body=body, times=None))
    with pytest.raises(error_class) as raised:
        client.sensor_hours(SENSOR, *WINDOW)
    assert openaq_server.counters.requests == 1
    text = str(raised.value)
    assert HOURS in text
    assert f"HTTP {status}" in text
    assert f"sensor {SENSOR}" in text
    assert hint in text
    expected_excerpt = (
        "datetime_to must be after"
        if body
        else {401: "Invalid credentials", 422: "less_than_equal"}.get(status, '"detail"')
    )
    assert expected_excerpt in text


def test_unknown_sensor_is_a_404_naming_the_sensor(client, openaq_server):
    with pytest.raises(OpenAQNotFound, match="sensor 12345"):
        client.sensor_hours(12345, *WINDOW)
    assert openaq_server.counters.requests == 1


def test_persistent_503_gives_up_after_the_attempt_budget(client, openaq_server):
    openaq_server.faults.add(Fault("status", path=HOURS, status=503, times=None))
    with pytest.raises(OpenAQUnavailable, match="gave up after 4 attempts") as raised:
        client.sensor_hours(SENSOR, *WINDOW)
    assert "Service Unavailable" in str(raised.value)
    assert openaq_server.counters.requests == FAST_RETRY.max_attempts


def test_total_time_budget_stops_retries_early(openaq_server):
    from assets.openaq import RetrySettings

    slow = RetrySettings(max_attempts=50, base_delay_s=0.2, max_delay_s=0.2, max_total_s=0.5)
    client = OpenAQClient(openaq_server.api_key, openaq_server.base_url, retry=slow)
    openaq_server.faults.add(Fault("status", path=HOURS, status=500, times=None))
    with pytest.raises(OpenAQUnavailable):
        client.sensor_hours(SENSOR, *WINDOW)
    # Delays are 0.1..0.2 s each, so a 0.5 s budget allows at most 6 attempts, far fewer than 50.
    assert 2 <= openaq_server.counters.requests <= 6


def test_invalid_json_every_time_is_an_invalid_response_error(client, openaq_server):
    openaq_server.faults.add(Fault("invalid_json", path=HOURS, times=None))
    with pytest.raises(OpenAQInvalidResponse, match="invalid or truncated JSON"):
        client.sensor_hours(SENSOR, *WINDOW)
    assert openaq_server.counters.requests == FAST_RETRY.max_attempts


def test_repeated_page_once_is_refetched(openaq_server):
    client = OpenAQClient(openaq_server.api_key, openaq_server.base_url, page_limit=10, retry=FAST_RETRY)
    fault = openaq_server.faults.add(Fault("repeat_page", path=HOURS))
    hours = client.sensor_hours(SENSOR, *WINDOW)
    assert fault.hits == 1
    assert len(hours.rows) == 24
    assert len({r["period"]["datetimeTo"]["utc"] for r in hours.rows}) == 24
    assert openaq_server.counters.requests == 3 + 1  # pages 1..3, page 2 twice


def test_page_repeating_forever_stops_with_an_error(openaq_server):
    client = OpenAQClient(openaq_server.api_key, openaq_server.base_url, page_limit=10, retry=FAST_RETRY)
    openaq_server.faults.add(Fault("repeat_page", path=HOURS, times=None))
    with pytest.raises(OpenAQRepeatedPage, match="page 2 repeats page 1"):
        client.sensor_hours(SENSOR, *WINDOW)
    assert openaq_server.counters.requests == 1 + FAST_RETRY.max_attempts


@pytest.mark.parametrize(
    ("kind", "value"), [("null_values", None), ("negative_values", "<0"), ("sentinel_values", -999.0)]
)
def test_bad_values_are_passed_through_for_cleaning(client, openaq_server, kind, value):
    fault = openaq_server.faults.add(Fault(kind, path=HOURS, rows=3))
    rows = client.sensor_hours(SENSOR, *WINDOW).rows
    assert len(rows) == 24
    assert fault.rows_altered == 3
    values = [r["value"] for r in rows]
    bad = [v for v in values if v is None or v < 0]
    assert len(bad) == 3
    if value == "<0":
        assert all(v < 0 for v in bad)
    else:
        assert bad == [value] * 3


def test_duplicate_rows_are_kept_for_deduplication(client, openaq_server):
    fault = openaq_server.faults.add(Fault("duplicate_rows", path=HOURS, rows=2))
    rows = client.sensor_hours(SENSOR, *WINDOW).rows
    assert len(rows) == 24 + 2
    assert fault.rows_altered == 2
    assert len({r["period"]["datetimeTo"]["utc"] for r in rows}) == 24


def test_rows_outside_the_window_are_dropped_and_counted(client, openaq_server):
    fault = openaq_server.faults.add(Fault("outside_window", path=HOURS, rows=3))
    hours = client.sensor_hours(SENSOR, *WINDOW)
    assert fault.rows_altered == 3
    assert len(hours.rows) == 24
    assert hours.rows_outside_window == 3
    ends = sorted(r["period"]["datetimeTo"]["utc"] for r in hours.rows)
    assert ends[0] == "2026-11-27T00:00:00Z"
    assert ends[-1] == "2026-11-27T23:00:00Z"


def test_permanent_error_in_one_sensor_stops_the_city_day(client, openaq_server):
    from assets.openaq import fetch_city_day

    openaq_server.faults.add(Fault("status", path="/v3/sensors/9001033/hours", status=403, times=None))
    with pytest.raises(OpenAQAuthError, match="sensor 9001033"):
        fetch_city_day(
            client, city="Vienna", latitude=48.2082, longitude=16.3738, radius_m=10_000, start=WINDOW[0], end=WINDOW[1]
        )
    assert sum("/v3/sensors/9001033/hours?" in p for p in openaq_server.counters.paths) == 1


def test_wrong_key_is_an_auth_error_without_the_key(openaq_server, caplog):
    secret = "sk-wrong-key-7781"
    client = OpenAQClient(secret, openaq_server.base_url, retry=FAST_RETRY)
    with caplog.at_level(logging.DEBUG), pytest.raises(OpenAQAuthError) as raised:
        client.locations_near(48.2, 16.37, 1000)
    assert "Invalid credentials" in str(raised.value)
    assert "OPENAQ_API_KEY" in str(raised.value)
    assert secret not in str(raised.value)
    assert secret not in repr(client)
    assert secret not in caplog.text


def test_key_never_in_logs_or_errors_during_retries(client, openaq_server, caplog):
    openaq_server.faults.add(Fault("status", path=HOURS, status=502, times=2))
    openaq_server.faults.add(Fault("status", path="/v3/sensors/9001012/hours", status=500, times=None))
    with caplog.at_level(logging.DEBUG), pytest.raises(OpenAQUnavailable) as raised:
        client.sensors_hours([SENSOR, 9001012], *WINDOW)
    assert "retry" in caplog.text
    assert openaq_server.api_key not in caplog.text
    assert openaq_server.api_key not in str(raised.value)


def test_body_echoing_the_key_is_redacted(client, openaq_server):
    openaq_server.faults.add(
        Fault("status", path=HOURS, status=422, body={"detail": f"bad key {openaq_server.api_key}"})
    )
    with pytest.raises(OpenAQRequestInvalid) as raised:
        client.sensor_hours(SENSOR, *WINDOW)
    assert openaq_server.api_key not in str(raised.value)
    assert "bad key ***" in str(raised.value)


def test_missing_env_key_names_the_variable(monkeypatch):
    monkeypatch.delenv("OPENAQ_API_KEY", raising=False)
    with pytest.raises(OpenAQConfigError, match="OPENAQ_API_KEY is not set"):
        OpenAQClient.from_env()


def test_from_env_reads_base_url(openaq_env):
    client = OpenAQClient.from_env()
    assert client.base_url == openaq_env.base_url
    # Within 5 km: the stations at 40 m, 1.1 km, 2.5 km, 3 km (retired) and 4.2 km (never reported).
    assert [loc["id"] for loc in client.locations_near(48.2082, 16.3738, 5_000)] == [
        900101,
        900102,
        900103,
        900106,
        900107,
    ]
