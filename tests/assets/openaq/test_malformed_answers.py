"""Answers that parse into something, but not into what was sent: each is a clear error naming the request, never a
silent loss, a crash of the parser, or a retry loop on an answer that retrying cannot fix.

Real HTTP against the local OpenAQ server with its fault modes (devservices/openaq_server/faults.py).
"""

import datetime as dt
import logging

import pytest

from assets.openaq import (
    OpenAQClient,
    OpenAQConfigError,
    OpenAQInvalidResponse,
    OpenAQNotAnAPI,
    OpenAQRateLimited,
    RetrySettings,
    day_window_utc,
)
from assets.openaq.budget import PARALLELISM_VARIABLE, fan_out_parallelism
from devservices.openaq_server import Fault, OpenAQServer
from tests.assets.openaq.conftest import FAST_RETRY

SENSOR = 9001011
HOURS = f"/v3/sensors/{SENSOR}/hours"
WINDOW = day_window_utc(dt.date(2026, 11, 27), "Europe/Vienna")


def _client(server: OpenAQServer, **retry: float) -> OpenAQClient:
    settings = RetrySettings(**{**FAST_RETRY.__dict__, **retry})
    return OpenAQClient(server.api_key, server.base_url, timeout=(2.0, 5.0), retry=settings)


# ---- a key given twice: JSON keeps the last one, which would hide the rows ----


def test_a_duplicate_results_key_once_is_refetched_and_no_row_is_lost(openaq_server: OpenAQServer) -> None:
    fault = openaq_server.faults.add(Fault("duplicate_key", path=HOURS))
    hours = _client(openaq_server).sensor_hours(SENSOR, *WINDOW)
    assert fault.hits == 1
    assert len(hours.rows) == 24  # the page was fetched again, not taken as empty
    assert openaq_server.counters.requests == 2


def test_a_duplicate_results_key_every_time_fails_naming_the_sensor_and_page(openaq_server: OpenAQServer) -> None:
    openaq_server.faults.add(Fault("duplicate_key", path=HOURS, times=None))
    client = _client(openaq_server)
    with pytest.raises(OpenAQInvalidResponse) as raised:
        client.sensor_hours(SENSOR, *WINDOW)
    message = str(raised.value)
    assert message.startswith(f"OpenAQ GET {HOURS} (sensor {SENSOR}, page 1): ")
    assert "duplicate key 'results'" in message
    assert "\n" not in message
    assert openaq_server.counters.requests == FAST_RETRY.max_attempts


# ---- nesting deeper than any OpenAQ answer ----


def test_deeply_nested_json_is_an_invalid_answer_naming_the_request_not_a_recursion_error(
    openaq_server: OpenAQServer,
) -> None:
    openaq_server.faults.add(Fault("deep_nesting", path=HOURS, rows=50_000, times=None))
    client = _client(openaq_server)
    with pytest.raises(OpenAQInvalidResponse) as raised:  # a RecursionError would fail the test here
        client.sensor_hours(SENSOR, *WINDOW)
    message = str(raised.value)
    assert message.startswith(f"OpenAQ GET {HOURS} (sensor {SENSOR}, page 1): ")
    assert "nested deeper than" in message
    assert openaq_server.counters.requests == FAST_RETRY.max_attempts  # retried like an oversized body


def test_nesting_deeper_than_any_answer_once_is_refetched(openaq_server: OpenAQServer) -> None:
    openaq_server.faults.add(Fault("deep_nesting", path=HOURS, rows=900, times=1))
    hours = _client(openaq_server).sensor_hours(SENSOR, *WINDOW)
    assert len(hours.rows) == 24


# ---- a web page that says it is JSON ----


def test_a_web_page_declared_as_json_fails_at_once_as_not_the_api(openaq_server: OpenAQServer) -> None:
    openaq_server.faults.add(Fault("html_as_json", path="/v3/locations", times=None))
    client = _client(openaq_server)
    with pytest.raises(OpenAQNotAnAPI) as raised:
        client.locations_near(48.2082, 16.3738, 1000)
    message = str(raised.value)
    assert f"{openaq_server.base_url} answered HTTP 200 with a web page (HTML) declared as application/json" in message
    assert "not the OpenAQ v3 API" in message
    assert "OPENAQ_BASE_URL" in message
    assert openaq_server.counters.requests == 1  # not retried


# ---- waits asked for that are longer than any wait we take ----


def test_a_retry_after_far_beyond_the_cap_says_what_was_asked_and_the_cap(
    openaq_server: OpenAQServer, caplog: pytest.LogCaptureFixture
) -> None:
    openaq_server.faults.add(Fault("status", path=HOURS, status=429, headers={"Retry-After": "999999"}))
    client = _client(openaq_server, max_rate_limit_wait_s=120.0)
    with caplog.at_level(logging.INFO), pytest.raises(OpenAQRateLimited) as raised:
        client.sensor_hours(SENSOR, *WINDOW)
    message = str(raised.value)
    assert "asks to wait 999999 s (Retry-After: 999999)" in message
    assert "more than the 120 s one wait may take" in message
    assert "3600" not in message
    assert openaq_server.counters.requests == 1


# ---- settings far too long to echo ----


def test_a_10000_character_setting_is_cut_in_the_message(openaq_server: OpenAQServer) -> None:
    """A value pasted wrong (or a hostile one) must not fill a log line: its start and its length are enough."""
    long_url = "ftp://" + "h" * 10_000
    with pytest.raises(OpenAQConfigError) as raised:
        OpenAQClient(openaq_server.api_key, long_url)
    assert len(str(raised.value)) < 400
    assert "(10006 characters)" in str(raised.value)
    with pytest.raises(OpenAQConfigError) as raised:
        fan_out_parallelism({PARALLELISM_VARIABLE: "7" * 5_000 + "x" * 5_000})
    assert len(str(raised.value)) < 400
    assert f"{PARALLELISM_VARIABLE}='777" in str(raised.value)
    assert "(10000 characters)" in str(raised.value)
