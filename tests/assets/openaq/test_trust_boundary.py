"""The OpenAQ client against what real servers and gateways send: odd rate-limit headers, bodies that trickle or
are cut, NaN literals, web pages, malformed keys. Each case runs over real HTTP against the local server."""

import datetime as dt
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assets.openaq import (
    OpenAQClient,
    OpenAQConfigError,
    OpenAQNotAnAPI,
    OpenAQRateLimited,
    OpenAQRequestInvalid,
    OpenAQUnavailable,
    RetrySettings,
    day_window_utc,
    fetch_city_day,
)
from devservices.openaq_server import Fault
from tests.assets.openaq.conftest import FAST_RETRY

SENSOR = 9001011
HOURS = f"/v3/sensors/{SENSOR}/hours"
WINDOW = day_window_utc(dt.date(2026, 11, 27), "Europe/Vienna")


def _client(server, **retry: float) -> OpenAQClient:
    settings = RetrySettings(**{**FAST_RETRY.__dict__, **retry})
    return OpenAQClient(server.api_key, server.base_url, timeout=(2.0, 5.0), retry=settings)


# ---- waits the server asks for ----


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda: {"x-ratelimit-reset": str(int(time.time()) + 2)}, id="reset-as-epoch-timestamp"),
        pytest.param(lambda: {"x-ratelimit-reset": "2"}, id="reset-as-seconds"),
        pytest.param(lambda: {"x-ratelimit-reset": "9999", "Retry-After": "1"}, id="retry-after-seconds-wins"),
        pytest.param(
            lambda: {
                "x-ratelimit-reset": "9999",
                "Retry-After": format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2), usegmt=True),
            },
            id="retry-after-http-date-wins",
        ),
    ],
)
def test_a_429_waits_what_the_headers_mean_in_either_form(openaq_server, headers):
    openaq_server.faults.add(Fault("status", path=HOURS, status=429, headers=headers()))
    client = _client(openaq_server)
    started = time.monotonic()
    hours = client.sensor_hours(SENSOR, *WINDOW)
    waited = time.monotonic() - started
    assert len(hours.rows) == 24
    assert 0.5 <= waited < 5.0  # it waited, and a timestamp was not taken as ~56 years
    assert openaq_server.counters.requests == 2


def test_an_epoch_reset_years_ahead_is_capped_and_fails_at_once(openaq_server):
    years_ahead = str(int(time.time()) + 10 * 365 * 86400)
    openaq_server.faults.add(Fault("status", path=HOURS, status=429, headers={"x-ratelimit-reset": years_ahead}))
    client = _client(openaq_server, max_rate_limit_wait_s=30.0)
    started = time.monotonic()
    with pytest.raises(OpenAQRateLimited, match="more than the 30 s one wait may take"):
        client.sensor_hours(SENSOR, *WINDOW)
    assert time.monotonic() - started < 3.0
    assert openaq_server.counters.requests == 1


def test_pacing_never_trusts_an_epoch_reset_as_seconds(openaq_server):
    """The pacer reads every answer's reset too: an epoch there must not park the next request for years."""
    openaq_server.set_rate_limit(2, 1.0)
    client = _client(openaq_server)
    started = time.monotonic()
    for _ in range(3):  # the third request needs a new window: the pacer waits ~1 s, not forever
        client.locations_near(48.2082, 16.3738, 1000)
    assert time.monotonic() - started < 5.0


# ---- bodies that never end or end too soon ----


def test_a_trickled_body_hits_the_attempt_deadline_and_is_retried(openaq_server):
    openaq_server.faults.add(Fault("trickle", path=HOURS, delay_s=0.3))
    client = _client(openaq_server, attempt_deadline_s=1.5)
    started = time.monotonic()
    hours = client.sensor_hours(SENSOR, *WINDOW)
    assert len(hours.rows) == 24
    assert time.monotonic() - started < 5.0
    assert openaq_server.counters.requests == 2


def test_trickled_headers_hit_the_same_attempt_deadline(openaq_server):
    """The deadline covers the whole exchange: a status line and headers sent a byte at a time are cut too."""
    openaq_server.faults.add(Fault("trickle_head", path=HOURS, delay_s=0.3))
    client = _client(openaq_server, attempt_deadline_s=1.5)
    started = time.monotonic()
    hours = client.sensor_hours(SENSOR, *WINDOW)
    assert len(hours.rows) == 24
    assert time.monotonic() - started < 5.0
    assert openaq_server.counters.requests == 2
    assert client.tally.retries == 1


def test_a_body_that_stalls_longer_than_the_read_timeout_mid_stream_is_retried(openaq_server):
    openaq_server.faults.add(Fault("trickle", path=HOURS, delay_s=1.0))
    client = OpenAQClient(openaq_server.api_key, openaq_server.base_url, timeout=(2.0, 0.5), retry=FAST_RETRY)
    hours = client.sensor_hours(SENSOR, *WINDOW)
    assert len(hours.rows) == 24
    assert openaq_server.counters.requests == 2
    assert client.tally.retries == 1


def test_a_body_that_always_trickles_gives_up_within_the_budget(openaq_server, caplog):
    openaq_server.faults.add(Fault("trickle", path=HOURS, delay_s=0.3, times=None))
    client = _client(openaq_server, attempt_deadline_s=1.0, max_attempts=2)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING), pytest.raises(OpenAQUnavailable, match="no complete answer within 1 s"):
        client.sensor_hours(SENSOR, *WINDOW)
    assert time.monotonic() - started < 5.0
    assert openaq_server.counters.requests == 2


def _interrupted_while_bodies_trickle(openaq_server, interrupt: Callable[[], None]) -> None:
    """`interrupt()` one second into a fetch whose bodies never end (600 s deadlines): the call raises
    KeyboardInterrupt within a minute (a bound far above any scheduling delay on a loaded machine) and leaves no
    worker behind."""
    openaq_server.faults.add(Fault("trickle", path="/v3/sensors/*/hours", delay_s=0.5, times=None))
    client = _client(openaq_server, attempt_deadline_s=600.0, max_total_s=600.0)
    timer = threading.Timer(1.0, interrupt)
    timer.start()
    try:
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            client.sensors_hours([SENSOR, 9001012], *WINDOW)
        assert time.monotonic() - started < 60.0
    finally:
        timer.cancel()
    assert not [t for t in threading.enumerate() if t.name.startswith("openaq")]


def test_an_interrupt_while_bodies_trickle_stops_the_fetch_at_once(openaq_server):
    """SIGTERM reaches a pod's main thread as KeyboardInterrupt (Dagster maps it so); the workers must not hold it."""
    _interrupted_while_bodies_trickle(openaq_server, lambda: os.kill(os.getpid(), signal.SIGINT))  # a real signal


@pytest.mark.timeout(120)
def test_an_interrupt_the_kernel_hands_to_a_worker_thread_still_stops_the_fetch(openaq_server):
    """A process-directed signal may be taken by any thread; Python runs its handler only in the main thread, and only
    when that thread runs: the call must not sleep through it until a trickling answer completes (without the
    bounded wait it sleeps until this test's timeout). The signal is sent to a worker thread itself (pthread_kill),
    the case the kernel may choose."""

    def interrupt_a_worker() -> None:
        workers = [t for t in threading.enumerate() if t.name.startswith("openaq")]
        signal.pthread_kill(workers[0].ident, signal.SIGINT)  # type: ignore[arg-type]

    _interrupted_while_bodies_trickle(openaq_server, interrupt_a_worker)


def test_a_body_cut_mid_stream_is_retried_like_other_transport_faults(openaq_server):
    fault = openaq_server.faults.add(Fault("cut", path=HOURS))
    client = _client(openaq_server)
    hours = client.sensor_hours(SENSOR, *WINDOW)
    assert len(hours.rows) == 24
    assert fault.hits == 1
    assert openaq_server.counters.requests == 2
    assert client.tally.retries == 1


# ---- NaN / Infinity ----


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_values_are_dropped_and_counted_at_the_client(openaq_server, literal):
    fault = openaq_server.faults.add(Fault("non_finite", path=HOURS, rows=2, body=literal))
    client = _client(openaq_server)
    doc = fetch_city_day(
        client, city="vienna", latitude=48.2082, longitude=16.3738, radius_m=1000, start=WINDOW[0], end=WINDOW[1]
    )
    assert fault.rows_altered == 2
    rows = {m["sensor_id"]: len(m["results"]) for m in doc["measurements"]}
    assert rows[SENSOR] == 22
    assert doc["stats"]["rows_non_finite"] == 2
    json.dumps(doc, allow_nan=False)  # what is stored is valid JSON


# ---- servers that are not the OpenAQ API ----


@pytest.mark.parametrize("kind", ["html_page", "not_openaq"])
def test_a_web_page_or_another_api_is_a_permanent_configuration_error(openaq_server, kind):
    openaq_server.faults.add(Fault(kind, path="/v3/locations", times=None))
    client = _client(openaq_server)
    with pytest.raises(OpenAQNotAnAPI, match="not the OpenAQ v3 API") as raised:
        client.locations_near(48.2082, 16.3738, 1000)
    assert "OPENAQ_BASE_URL" in str(raised.value)
    assert openaq_server.counters.requests == 1  # not retried


class _Nginx(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!DOCTYPE html><html><title>Welcome to nginx!</title></html>"
        status = 200 if self.path == "/" or self.path.startswith("/v3/locations") else 404
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def web_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Nginx)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.mark.parametrize("path_answers", ["200-page", "404-page"])
def test_a_plain_web_server_at_the_base_url_fails_at_once(web_server, path_answers):
    client = OpenAQClient("some-key-1234", web_server, retry=FAST_RETRY)
    call = (
        (lambda: client.locations_near(48.2082, 16.3738, 1000))
        if path_answers == "200-page"
        else (lambda: client.sensor_hours(SENSOR, *WINDOW))
    )
    with pytest.raises(OpenAQNotAnAPI, match="text/html: it is not the OpenAQ v3 API"):
        call()
    assert client.tally.requests == 1


# ---- keys ----


def test_a_key_with_a_trailing_newline_is_stripped_and_never_shown(openaq_server, caplog):
    client = OpenAQClient(openaq_server.api_key + "\n", openaq_server.base_url, retry=FAST_RETRY)
    with caplog.at_level(logging.DEBUG):
        hours = client.sensor_hours(SENSOR, *WINDOW)
    assert len(hours.rows) == 24
    assert "trailing newline" in caplog.text
    assert openaq_server.api_key not in caplog.text


@pytest.mark.parametrize(
    "bad", ["abc7\ndef9-k", "k3y-alpha with-sp4ce", "k3y-beta\r\nX-Injected: 1", "ключ-1234", "t4b-x\tk3y-y"]
)
def test_a_malformed_key_is_refused_before_any_request_without_echoing_it(openaq_server, bad):
    with pytest.raises(OpenAQConfigError) as raised:
        OpenAQClient(bad, openaq_server.base_url, retry=FAST_RETRY)
    text = str(raised.value)
    assert "OPENAQ_API_KEY" in text
    for part in bad.split():
        assert part not in text
    assert repr(bad)[1:-1] not in text
    assert openaq_server.counters.requests == 0


def test_a_body_echoing_any_form_of_the_key_is_redacted(openaq_server):
    key = openaq_server.api_key
    echoed = f"got {key!r} aka {key}%0A and {json.dumps(key + chr(10))}"
    openaq_server.faults.add(Fault("status", path=HOURS, status=422, body={"detail": echoed}))
    client = OpenAQClient(key + "\n", openaq_server.base_url, retry=FAST_RETRY)
    with pytest.raises(OpenAQRequestInvalid, match=r"got '\*\*\*") as raised:
        client.sensor_hours(SENSOR, *WINDOW)
    assert key not in str(raised.value)
