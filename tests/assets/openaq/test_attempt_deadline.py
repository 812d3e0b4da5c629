"""The per-attempt deadline holds for every kind of connection, not only kept-alive ones.

With `Connection: close` or HTTP/1.0, http.client hands the socket to the response and the connection object lets
go of it as soon as the headers are read; a deadline that cuts "the connection's socket" then finds none, and a body
trickled a byte per second is read forever. Each case here is a real local HTTP server (`http.server`, so the
connection kind is exactly what the case names) trickling its answer one byte per second.
"""

import datetime as dt
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assets.openaq import OpenAQClient, OpenAQUnavailable, RetrySettings, day_window_utc

SENSOR = 9001011
WINDOW = day_window_utc(dt.date(2026, 11, 27), "Europe/Vienna")
DEADLINE_S = 1.5
ATTEMPTS = 2
BODY = b'{"meta": {"name": "openaq-api", "page": 1, "limit": 1000, "found": 0}, "results": []}'


class _Trickler(BaseHTTPRequestHandler):
    """Status line and headers at once (or trickled too, with `trickle_head`), then the body a byte per second."""

    trickle_head = False
    close_header = True
    stop: threading.Event

    def do_GET(self) -> None:
        head = f"{self.protocol_version} 200 OK\r\nContent-Type: application/json\r\n"
        head += f"Content-Length: {len(BODY)}\r\n" + ("Connection: close\r\n" if self.close_header else "") + "\r\n"
        at_once, trickled = (b"", head.encode() + BODY) if self.trickle_head else (head.encode(), BODY)
        try:
            self.wfile.write(at_once)
            self.wfile.flush()
            for index in range(len(trickled)):
                if self.stop.wait(1.0):
                    break
                self.wfile.write(trickled[index : index + 1])
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client cut the connection at its deadline: what the test wants
        self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


def _handler(protocol: str, close_header: bool, trickle_head: bool, stop: threading.Event) -> type[_Trickler]:
    return type(
        "Handler",
        (_Trickler,),
        {"protocol_version": protocol, "close_header": close_header, "trickle_head": trickle_head, "stop": stop},
    )


@pytest.fixture
def trickling_server(request: pytest.FixtureRequest) -> Iterator[str]:
    protocol, close_header, trickle_head = request.param
    stop = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(protocol, close_header, trickle_head, stop))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "trickling_server",
    [
        pytest.param(("HTTP/1.1", True, False), id="http1.1-connection-close"),
        pytest.param(("HTTP/1.0", False, False), id="http1.0"),
        pytest.param(("HTTP/1.0", True, True), id="http1.0-headers-trickled-too"),
        pytest.param(("HTTP/1.1", False, False), id="http1.1-keep-alive"),
    ],
    indirect=True,
)
def test_a_trickled_answer_is_cut_at_the_attempt_deadline_whatever_the_connection(trickling_server: str) -> None:
    retry = RetrySettings(max_attempts=ATTEMPTS, base_delay_s=0.01, max_delay_s=0.05, attempt_deadline_s=DEADLINE_S)
    # Per-read timeouts far longer than a byte's gap: only the attempt's wall-clock deadline can end it.
    client = OpenAQClient("some-key-1234", trickling_server, timeout=(5.0, 30.0), retry=retry)
    started = time.monotonic()
    with pytest.raises(OpenAQUnavailable) as raised:
        client.sensor_hours(SENSOR, *WINDOW)
    elapsed = time.monotonic() - started
    assert elapsed < ATTEMPTS * DEADLINE_S + 2.0, f"the deadline did not hold: {elapsed:.1f} s"
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"OpenAQ GET /v3/sensors/{SENSOR}/hours (sensor {SENSOR}, page 1): ")
    assert f"no complete answer within {DEADLINE_S:g} s" in message
    assert client.tally.requests == ATTEMPTS
