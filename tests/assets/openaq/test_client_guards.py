"""Client behaviour that protects the key: every 429 waits, a permanent error stops siblings, no redirects followed."""

import datetime as dt
import threading
from urllib.parse import urlsplit

import pytest

from assets.openaq import (
    OpenAQAuthError,
    OpenAQClient,
    OpenAQRequestInvalid,
    RatePacer,
    RetrySettings,
    SensorHours,
    day_window_utc,
)
from devservices.openaq_server import Fault
from tests.assets.openaq.conftest import FAST_RETRY

SENSOR = 9001011
OTHER_SENSOR = 9001012
HOURS = f"/v3/sensors/{SENSOR}/hours"
WINDOW = day_window_utc(dt.date(2026, 11, 27), "Europe/Vienna")


def _requests_for(openaq_server, sensor_id: int) -> int:
    return sum(f"/v3/sensors/{sensor_id}/hours?" in p for p in openaq_server.counters.paths)


@pytest.mark.parametrize(
    ("headers", "held_until"),
    [
        # The hourly limit is hit although the minute window still has requests left.
        ({"x-ratelimit-remaining": "1500", "x-ratelimit-reset": "30"}, 30.0),
        # No usable reset: the client falls back to RetrySettings.rate_limit_fallback_s (0.2 s in FAST_RETRY).
        ({"x-ratelimit-reset": "soon"}, FAST_RETRY.rate_limit_fallback_s),
    ],
    ids=["remaining-left", "reset-unparsable"],
)
def test_every_429_holds_requests_until_the_reset(openaq_server, headers, held_until):
    now = [0.0]
    pacer = RatePacer(clock=lambda: now[0])  # the client's waits follow this clock, so the test moves time
    client = OpenAQClient(openaq_server.api_key, openaq_server.base_url, retry=FAST_RETRY, pacer=pacer)
    fault = openaq_server.faults.add(Fault("status", path=HOURS, status=429, headers=headers))
    result: list[SensorHours] = []
    worker = threading.Thread(target=lambda: result.append(client.sensor_hours(SENSOR, *WINDOW)), daemon=True)
    worker.start()
    worker.join(timeout=0.5)
    assert worker.is_alive()  # held back by the pacer, not retried at once
    assert openaq_server.counters.statuses == [429]
    now[0] = held_until
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert fault.hits == 1
    assert openaq_server.counters.statuses == [429, 200]
    assert len(result[0].rows) == 24


def test_permanent_error_stops_a_sibling_that_is_retrying(openaq_server):
    patient = RetrySettings(max_attempts=10, base_delay_s=0.2, max_delay_s=0.2, max_total_s=60.0)
    client = OpenAQClient(openaq_server.api_key, openaq_server.base_url, max_workers=2, retry=patient)
    openaq_server.faults.add(Fault("status", path=HOURS, status=403, times=None))
    openaq_server.faults.add(Fault("status", path=f"/v3/sensors/{OTHER_SENSOR}/hours", status=503, times=None))
    with pytest.raises(OpenAQAuthError, match=f"sensor {SENSOR}") as raised:
        client.sensors_hours([SENSOR, OTHER_SENSOR], *WINDOW)
    assert raised.value.__cause__ is None
    assert raised.value.__context__ is None
    assert _requests_for(openaq_server, SENSOR) == 1
    # Without the stop it would try all 10 attempts; each backoff is 0.1-0.2 s and the 403 comes back at once.
    # Zero is fine too: the 403 may arrive before the sibling's first request leaves.
    assert _requests_for(openaq_server, OTHER_SENSOR) <= 3


@pytest.mark.parametrize("status", [301, 302])
def test_redirect_is_an_error_and_the_key_is_not_sent_to_the_new_host(openaq_server, status):
    port = urlsplit(openaq_server.base_url).port
    elsewhere = f"http://localhost:{port}/v3/sensors/{SENSOR}/hours?moved=1"  # another host name, same server
    openaq_server.faults.add(
        Fault("status", path=HOURS, status=status, body={"detail": "Moved"}, headers={"Location": elsewhere})
    )
    client = OpenAQClient(openaq_server.api_key, openaq_server.base_url, retry=FAST_RETRY)
    with pytest.raises(OpenAQRequestInvalid) as raised:
        client.sensor_hours(SENSOR, *WINDOW)
    assert openaq_server.counters.requests == 1  # the redirect was not followed
    text = str(raised.value)
    assert f"HTTP {status}" in text
    assert elsewhere in text
    assert f"sensor {SENSOR}" in text
    assert "OPENAQ_BASE_URL" in text
    assert openaq_server.api_key not in text


def test_redirect_location_echoing_the_key_is_redacted(openaq_server):
    key = openaq_server.api_key
    openaq_server.faults.add(
        Fault("status", path=HOURS, status=307, body={}, headers={"Location": f"http://127.0.0.1:9/?k={key}"})
    )
    client = OpenAQClient(key, openaq_server.base_url, retry=FAST_RETRY)
    with pytest.raises(OpenAQRequestInvalid) as raised:
        client.sensor_hours(SENSOR, *WINDOW)
    assert key not in str(raised.value)
    assert "http://127.0.0.1:9/?k=***" in str(raised.value)
