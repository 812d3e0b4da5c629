"""A local OpenAQ-v3-compatible HTTP server serving SYNTHETIC data, with rate limits and injectable faults."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from devservices.openaq_server.faults import PLAIN_STRING_422, REAL_BODIES, DataContext, Fault, FaultPlan
from devservices.openaq_server.query import (
    QueryInvalid,
    coordinates_param,
    datetime_param,
    int_param,
)
from devservices.openaq_server.ratelimit import FixedWindowLimiter
from devservices.openaq_server.synthetic import HOUR, SyntheticCity

log = logging.getLogger(__name__)

HOURS_PATH = re.compile(r"^/v3/sensors/(\d+)/hours$")
MISSING_KEY_BODY = {"message": "Unauthorized. A valid API key must be provided in the X-API-Key header."}
DEFAULT_PAGE_LIMIT = 100
MAX_PAGE_LIMIT = 1000
ROWS_BEFORE_WINDOW = 5
WEB_PAGE = b"<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head></html>"


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # overrides the JSON encoding of `body` (truncated/invalid bodies)
    drop: bool = False
    trickle_s: float = 0.0  # > 0: send the body one byte every trickle_s seconds
    trickle_head: bool = False  # trickle the status line and headers too
    cut: bool = False  # send the body chunked and close after the first chunk


class ServerCounters:
    """What the server saw: every request (path and query) and every 429 it sent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.rate_limited = 0
        self.paths: list[str] = []
        self.statuses: list[int] = []

    def record_request(self, target: str) -> None:
        with self._lock:
            self.requests += 1
            self.paths.append(target)

    def record_status(self, status: int) -> None:
        with self._lock:
            self.statuses.append(status)
            if status == 429:
                self.rate_limited += 1

    def reset(self) -> None:
        with self._lock:
            self.requests, self.rate_limited = 0, 0
            self.paths.clear()
            self.statuses.clear()


class OpenAQServer:
    """Serves /v3/locations and /v3/sensors/{id}/hours like the real API; start() runs it in a thread.

    It serves every city in `cities` (`city` alone: one; neither: Vienna); `city` is the first.
    """

    def __init__(
        self,
        *,
        city: SyntheticCity | None = None,
        cities: Sequence[SyntheticCity] = (),
        api_keys: tuple[str, ...] = ("dev-key",),
        rate_limit: int = 60,
        rate_window_s: float = 60.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if not api_keys:
            raise ValueError("OpenAQServer needs at least one API key")
        self.cities = list(cities) or [city or SyntheticCity()]
        self.city = self.cities[0]
        ids = [loc.id for c in self.cities for loc in c.locations]
        if len(ids) != len(set(ids)):
            raise ValueError("the synthetic cities share location ids: give each its own first_location_id")
        self.api_keys = api_keys
        self.faults = FaultPlan()
        self.counters = ServerCounters()
        self.limiter = FixedWindowLimiter(rate_limit, rate_window_s)
        self._default_rate = (rate_limit, rate_window_s)
        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.app = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None
        self.stopping = threading.Event()  # ends trickling answers when the server stops

    @property
    def api_key(self) -> str:
        return self.api_keys[0]

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> OpenAQServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def synthetic_city(self, name: str) -> SyntheticCity:
        """The served city called `name` (case-insensitive)."""
        for city in self.cities:
            if city.name.lower() == name.lower():
                return city
        raise KeyError(f"the server has no city {name!r}")

    def _owner(self, sensor_id: int) -> SyntheticCity | None:
        return next((city for city in self.cities if city.sensor(sensor_id) is not None), None)

    def set_rate_limit(self, limit: int, window_s: float) -> None:
        self.limiter.configure(limit, window_s)

    def reset(self) -> None:
        """Fresh faults, counters and rate window (the per-test reset of a shared server); trickles end."""
        self.stopping.set()
        self.stopping = threading.Event()
        self.faults.clear()
        self.counters.reset()
        self.limiter.configure(*self._default_rate)

    def add_fault(self, fault: Fault) -> Fault:
        return self.faults.add(fault)

    # ---- request handling ----
    def answer(self, target: str, api_key: str | None) -> Answer:
        self.counters.record_request(target)
        split = urlsplit(target)
        path, query = split.path, dict(parse_qsl(split.query, keep_blank_values=True))
        allowed, rate_headers = self.limiter.hit(api_key or "")
        answer = self._authorised_answer(path, query, api_key, allowed)
        answer.headers = {**rate_headers, **answer.headers}
        return answer

    def _authorised_answer(self, path: str, query: dict[str, str], api_key: str | None, allowed: bool) -> Answer:
        if not api_key:
            return Answer(401, MISSING_KEY_BODY)
        if api_key not in self.api_keys:
            return Answer(401, REAL_BODIES[401])
        if not allowed:
            return Answer(429, REAL_BODIES[429])
        match = HOURS_PATH.match(path)
        sensor_id = int(match.group(1)) if match else None
        fault = self.faults.take_transport(path, sensor_id)
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.delay_s)
        if fault is not None and fault.kind == "drop":
            return Answer(0, None, drop=True)
        if fault is not None and fault.kind == "status":
            return _status_answer(fault)
        answer = self._route(path, query, sensor_id)
        if fault is not None and fault.kind == "truncate":
            encoded = _encode(answer.body)
            answer.raw = encoded[: len(encoded) // 2]
        elif fault is not None and fault.kind == "invalid_json":
            answer.raw = _encode(answer.body)[:40] + b"\x00}garbled"  # still declared application/json
        elif fault is not None and fault.kind in ("html_page", "html_as_json"):
            answer = Answer(200, None, raw=WEB_PAGE)
            if fault.kind == "html_page":
                answer.headers["Content-Type"] = "text/html; charset=utf-8"
        elif fault is not None and fault.kind == "duplicate_key":
            answer.raw = _encode(answer.body)[:-1] + b', "results": []}'
        elif fault is not None and fault.kind == "deep_nesting":
            answer.raw = b'{"meta": {}, "results": ' + b"[" * fault.rows + b"]" * fault.rows + b"}"
        elif fault is not None and fault.kind == "not_openaq":
            answer = Answer(200, {"status": "ok", "data": [], "version": "2.1"})
        elif fault is not None and fault.kind in ("trickle", "trickle_head"):
            answer.trickle_s, answer.trickle_head = fault.delay_s, fault.kind == "trickle_head"
        elif fault is not None and fault.kind == "cut":
            answer.cut = True
        return answer

    def _route(self, path: str, query: dict[str, str], sensor_id: int | None) -> Answer:
        if path.startswith(("/v1/", "/v2/")) or path in ("/v1", "/v2"):
            return Answer(410, REAL_BODIES[410])
        try:
            if path == "/v3/locations":
                return Answer(200, self._locations(query))
            if sensor_id is not None:
                owner = self._owner(sensor_id)
                if owner is None:
                    return Answer(404, REAL_BODIES[404])
                return Answer(200, self._hours(owner, path, sensor_id, query))
        except QueryInvalid as invalid:
            return Answer(422, invalid.body)
        return Answer(404, REAL_BODIES[404])

    def _locations(self, query: dict[str, str]) -> dict[str, Any]:
        limit = int_param(query, "limit", DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT)
        page = int_param(query, "page", 1, 1)
        point = coordinates_param(query)
        radius = int_param(query, "radius", 0, 1, 25_000) if "radius" in query else None
        if (point is None) != (radius is None):
            raise QueryInvalid("coordinates and radius must be given together")
        if point is not None and radius is not None:
            found = [(c, loc, dist) for c in self.cities for loc, dist in c.within(point[0], point[1], radius)]
            chosen = [c.location_json(loc, dist) for c, loc, dist in sorted(found, key=lambda hit: hit[1].id)]
        else:
            chosen = [c.location_json(loc, None) for c in self.cities for loc in c.locations]
        offset = (page - 1) * limit
        return _envelope(page, limit, self.faults.apply_locations("/v3/locations", chosen[offset : offset + limit]))

    def _hours(self, city: SyntheticCity, path: str, sensor_id: int, query: dict[str, str]) -> dict[str, Any]:
        limit = int_param(query, "limit", DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT)
        page = int_param(query, "page", 1, 1)
        zone = city.timezone
        after = datetime_param(query, "datetime_from", zone) or datetime(2000, 1, 1, tzinfo=UTC)
        until = datetime_param(query, "datetime_to", zone) or datetime(2100, 1, 1, tzinfo=UTC)
        if until < after:
            raise QueryInvalid(PLAIN_STRING_422)
        offset = (page - 1) * limit
        rows = city.hour_rows(sensor_id, after, until, offset, limit)
        if self.faults.has_data_faults(path, sensor_id):
            context = DataContext(
                previous_page_rows=city.hour_rows(sensor_id, after, until, offset - limit, limit) if page > 1 else [],
                rows_before_window=city.hour_rows(
                    sensor_id, after - ROWS_BEFORE_WINDOW * HOUR, after, 0, ROWS_BEFORE_WINDOW
                ),
                window_after=after,
            )
            rows = self.faults.apply_data(path, sensor_id, page, rows, context)
        return _envelope(page, limit, rows)


def _envelope(page: int, limit: int, results: list[dict[str, Any]]) -> dict[str, Any]:
    found: int | str = f">{limit}" if len(results) >= limit else len(results)
    return {
        "meta": {"name": "openaq-api", "website": "/", "page": page, "limit": limit, "found": found},
        "results": results,
    }


def _status_answer(fault: Fault) -> Answer:
    headers: dict[str, str] = {}
    if fault.status == 429:
        headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(fault.reset_s)}
    return Answer(fault.status, fault.response_body(), {**headers, **(fault.headers or {})})


def _encode(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _send_cut(handler: BaseHTTPRequestHandler, payload: bytes) -> None:
    """Chunked transfer, first half as one chunk, then the connection closes without the final chunk."""
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    half = payload[: len(payload) // 2]
    handler.wfile.write(f"{len(half):x}\r\n".encode() + half + b"\r\n")
    handler.wfile.flush()
    handler.close_connection = True


def _send_trickle(handler: BaseHTTPRequestHandler, payload: bytes, every_s: float, app: OpenAQServer) -> None:
    """One byte every `every_s` seconds: each read returns data, so per-read timeouts never fire."""
    stopping = app.stopping  # this test's: reset() or stop() ends it
    for index in range(len(payload)):
        if stopping.is_set():
            break
        handler.wfile.write(payload[index : index + 1])
        handler.wfile.flush()
        stopping.wait(every_s)
    handler.close_connection = True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "openaq-synthetic/1"

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionResetError, BrokenPipeError):
            self.close_connection = True  # a client that gave up on a kept-alive connection: normal under faults

    def do_GET(self) -> None:
        app: OpenAQServer = self.server.app  # type: ignore[attr-defined]
        answer = app.answer(self.path, self.headers.get("X-API-Key"))
        if answer.drop:
            self.close_connection = True
            return
        app.counters.record_status(answer.status)
        payload = answer.raw if answer.raw is not None else _encode(answer.body)
        if answer.trickle_head:
            headers = {"Content-Type": "application/json", **answer.headers, "Content-Length": str(len(payload))}
            head = f"HTTP/1.1 {answer.status} OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
            with suppress(BrokenPipeError, ConnectionResetError):
                _send_trickle(self, head.encode() + payload, answer.trickle_s, app)
            return
        try:
            self.send_response(answer.status)
            headers = {"Content-Type": "application/json", **answer.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            if answer.cut:
                _send_cut(self, payload)
                return
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if answer.trickle_s > 0:
                _send_trickle(self, payload, answer.trickle_s, app)
            else:
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its read timeout fired first)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("openaq-synthetic: " + format, *args)
