"""requests-based OpenAQ v3 client: paging, window checks, pacing, retries and bounded concurrency."""

from __future__ import annotations

import contextlib
import logging
import math
import os
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count, islice
from typing import Any

import requests
import urllib3

from assets.openaq.body import MalformedJSON, holds_non_finite, parse_json
from assets.openaq.budget import RateBudget
from assets.openaq.deadline import Deadline, attempt_deadline, mount_deadline_adapter
from assets.openaq.errors import (
    OpenAQAuthError,
    OpenAQConfigError,
    OpenAQError,
    OpenAQGone,
    OpenAQInvalidResponse,
    OpenAQNotAnAPI,
    OpenAQNotFound,
    OpenAQRateLimited,
    OpenAQRepeatedPage,
    OpenAQRequestInvalid,
    OpenAQUnavailable,
    cut,
    excerpt,
    secret_forms,
    shown,
)
from assets.openaq.pacing import Cancelled, RatePacer, asked_wait, wait_seconds
from assets.openaq.retry import RETRYABLE_STATUSES, RetrySettings
from assets.openaq.window import parse_api_time, require_aware, to_api_time

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openaq.org"
MAX_PAGE_LIMIT = 1000
MAX_RADIUS_M = 25_000
# A page of 1000 hour rows is ~1 MB; anything far larger is not an OpenAQ answer.
MAX_BODY_BYTES = 64 * 1024 * 1024
READ_CHUNK_BYTES = 64 * 1024
# What an HTTP header value can carry: visible ASCII. Anything else in a key is a copy-paste accident.
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]+$")
# Set on an envelope whose rows the client dropped (NaN/Infinity): how many, so paging sees the page as sent.
DROPPED_ROWS_KEY = "_rows_dropped_by_client"
# How often the calling thread wakes while its workers fetch. Python runs signal handlers only in the main thread, and
# only when it executes bytecode: a SIGTERM/SIGINT the kernel hands to another thread (any thread of the process may
# take a process-directed signal) leaves a main thread blocked on an untimed wait asleep until a sensor completes,
# which a trickling answer can delay for as long as its deadline allows.
INTERRUPT_CHECK_S = 0.2
_JSON_TYPES = ("application/json", "application/problem+json", "text/json")
Progress = Callable[[int, int], None]


@dataclass
class RequestTally:
    """Thread-safe counts for one unit of work (e.g. a city-day): what it cost in requests."""

    requests: int = 0
    pages: int = 0
    retries: int = 0
    rows_non_finite: int = 0  # rows dropped because they held NaN/Infinity (not valid JSON)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, *, requests: int = 0, pages: int = 0, retries: int = 0, rows_non_finite: int = 0) -> None:
        with self._lock:
            self.requests += requests
            self.pages += pages
            self.retries += retries
            self.rows_non_finite += rows_non_finite


@dataclass(frozen=True)
class SensorHours:
    """One sensor's rows inside the window (exactly as returned) and how many returned rows were dropped: outside
    the window, or without a usable period (the API may send null there)."""

    sensor_id: int
    rows: list[dict[str, Any]]
    rows_outside_window: int
    pages: int
    rows_without_period: int = 0


class _RetryableBody(Exception):
    """A 2xx body that cannot be used as is but may be fine on the next try."""

    def __init__(self, reason: str, *, repeated_page: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.repeated_page = reason, repeated_page


class _TransportFault(Exception):
    """No usable answer arrived (refused, timed out, cut mid-stream); `reason` names the kind, never the key."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _AttemptTooSlow(Exception):
    """The attempt's wall-clock deadline passed while the answer was still arriving."""


def check_api_key(api_key: str) -> str:
    """The key as sent: surrounding whitespace (a trailing newline from a file) is removed; a key that still holds
    whitespace, control or non-ASCII characters is refused. The message never shows the value."""
    key = (api_key or "").strip()
    if not key:
        raise OpenAQConfigError("the API key is empty", hint="Set OPENAQ_API_KEY to your OpenAQ v3 key.")
    if not _KEY_PATTERN.match(key):
        raise OpenAQConfigError(
            f"OPENAQ_API_KEY ({len(key)} characters, not shown) holds whitespace, a control character or a non-ASCII "
            "character inside it, which an HTTP header cannot carry",
            hint="Set OPENAQ_API_KEY to the key alone (no quotes, spaces or line breaks).",
        )
    return key


def _hint_for(status: int) -> tuple[type[OpenAQError], str, str]:
    """(error class, problem, what to do) for a status that is never retried."""
    if status == 401:
        return OpenAQAuthError, "the API key is missing or wrong", "Set OPENAQ_API_KEY to a valid OpenAQ v3 key."
    if status == 403:
        return (
            OpenAQAuthError,
            "access forbidden (the key or this IP address is blocked)",
            "Do not retry; check the key's standing with OpenAQ and the request rate.",
        )
    if status == 404:
        return OpenAQNotFound, "not found", "Check the id; the location or sensor may have been removed."
    if status == 410:
        return OpenAQGone, "the path is retired (v1/v2)", "Use /v3/ paths and check OPENAQ_BASE_URL."
    if status == 422:
        return OpenAQRequestInvalid, "the parameters were rejected", "Fix the parameters named in the body."
    return OpenAQRequestInvalid, "the request was rejected", "Check the request; it is not retried."


class OpenAQClient:
    """OpenAQ v3 over HTTP; safe to share between threads (one pacer for all of them)."""

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: tuple[float, float] = (5.0, 30.0),
        max_workers: int = 4,
        retry: RetrySettings | None = None,
        page_limit: int = MAX_PAGE_LIMIT,
        pacer: RatePacer | None = None,
        budget: RateBudget | None = None,
    ) -> None:
        key = check_api_key(api_key)
        if key != api_key:
            log.warning("OPENAQ_API_KEY has surrounding whitespace (a trailing newline?); it was removed")
        if not base_url.startswith(("http://", "https://")):
            raise OpenAQConfigError(
                f"base URL {shown(base_url)} is not http(s)", hint="Set OPENAQ_BASE_URL to e.g. https://api.openaq.org."
            )
        if not 1 <= page_limit <= MAX_PAGE_LIMIT:
            raise OpenAQConfigError(f"page_limit={page_limit} is outside 1..1000", hint="Use at most 1000.")
        if max_workers < 1:
            raise OpenAQConfigError(f"max_workers={max_workers} must be >= 1", hint="Use e.g. 4.")
        self._api_key = key
        self._secret_forms = secret_forms(api_key) | secret_forms(key)
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_workers = max_workers
        self.retry = retry or RetrySettings()
        self.page_limit = page_limit
        # `budget`: this process's share of the key's limit (assets.openaq.budget); None paces by headers alone.
        self.pacer = pacer or RatePacer(max_wait_s=self.retry.max_rate_limit_wait_s, budget=budget)
        self.tally = RequestTally()
        self._in_flight: set[requests.Response] = set()
        self._in_flight_lock = threading.Lock()
        self._rng = random.Random()
        self._session = requests.Session()
        mount_deadline_adapter(self._session, max_workers)
        self._session.headers.update({"X-API-Key": self._api_key, "Accept": "application/json"})

    @classmethod
    def from_env(cls, **kwargs: Any) -> OpenAQClient:
        """OPENAQ_API_KEY (required) and OPENAQ_BASE_URL (default https://api.openaq.org)."""
        key = os.environ.get("OPENAQ_API_KEY", "")
        if not key.strip():
            raise OpenAQConfigError(
                "OPENAQ_API_KEY is not set", hint="Export OPENAQ_API_KEY=<your OpenAQ v3 key> and run again."
            )
        base_url = os.environ.get("OPENAQ_BASE_URL", "").strip() or DEFAULT_BASE_URL
        return cls(key, base_url, **kwargs)

    def __repr__(self) -> str:
        return f"OpenAQClient(base_url={self.base_url!r}, max_workers={self.max_workers})"

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> OpenAQClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- one request: pacing, retries, classification ----
    def get_json(
        self,
        path: str,
        params: Mapping[str, str | int],
        *,
        subject: str,
        tally: RequestTally | None = None,
        check: Callable[[dict[str, Any]], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> dict[str, Any]:
        """GET one v3 envelope; transient failures retried with backoff, permanent ones raised at once.

        Every attempt has a wall-clock deadline (`RetrySettings.attempt_deadline_s`), body included.
        Once `cancel` is set no further attempt is made and a body still arriving is abandoned (raises Cancelled):
        a sibling's permanent error, or the process being stopped, ends us within a read.
        """
        settings, started = self.retry, time.monotonic()
        attempt, rate_waits = 0, 0
        while True:
            attempt += 1
            ticket = self.pacer.acquire(cancel)
            self._count(tally, requests=1)
            deadline = time.monotonic() + settings.attempt_deadline_s  # 429 waits never eat into it
            try:
                response, payload = self._send(path, params, deadline, cancel)
            except Cancelled:
                self.pacer.release(ticket, None)
                raise
            except _RetryableBody as body_problem:
                self.pacer.release(ticket, None)
                failure, repeated, bad_body = body_problem.reason, False, True
            except _AttemptTooSlow:
                self.pacer.release(ticket, None)
                failure, repeated, bad_body = (
                    f"no complete answer within {settings.attempt_deadline_s:g} s (the body kept trickling)",
                    False,
                    False,
                )
            except _TransportFault as fault:
                self.pacer.release(ticket, None)
                failure, repeated, bad_body = fault.reason, False, False
            else:
                status = response.status_code
                text = payload.decode("utf-8", errors="replace")
                if status == 429:
                    # Every 429 waits, whatever `remaining` says: retrying at once is what gets keys banned.
                    wait_s = wait_seconds(response.headers, cap=math.inf)  # what was asked: capped only below
                    wait_s = settings.rate_limit_fallback_s if wait_s is None else wait_s
                    self.pacer.release(ticket, None)
                    rate_waits += 1
                    too_long = wait_s > settings.max_rate_limit_wait_s
                    if rate_waits > settings.max_rate_limit_waits or too_long:
                        problem = (
                            f"the API asks to wait {wait_s:.0f} s ({asked_wait(response.headers)}), more than the "
                            f"{settings.max_rate_limit_wait_s:g} s one wait may take, so the request is not waited for"
                            if too_long
                            else f"still rate limited after {settings.max_rate_limit_waits} waits"
                        )
                        raise OpenAQRateLimited(
                            problem,
                            hint="Lower max_workers or share the key with fewer jobs, then rerun.",
                            path=path,
                            status=429,
                            subject=subject,
                            body=self._excerpt(text),
                        )
                    self.pacer.block_for(wait_s)
                    log.info("OpenAQ %s (%s): HTTP 429, holding all requests for %.1f s", path, subject, wait_s)
                    self._count(tally, retries=1)
                    attempt -= 1
                    continue
                self.pacer.release(ticket, response.headers)
                if 300 <= status < 400:
                    raise self._redirected(response, text, path, subject)
                if status >= 400 and status not in RETRYABLE_STATUSES:
                    raise self._rejected(response, text, path, subject)
                if status in RETRYABLE_STATUSES:
                    failure, repeated, bad_body = f"HTTP {status}: {self._excerpt(text)}", False, False
                else:
                    try:
                        return self._accept(response, payload, path, subject, check, tally)
                    except _RetryableBody as body_problem:
                        failure, repeated, bad_body = body_problem.reason, body_problem.repeated_page, True
            delay = settings.backoff_s(attempt, self._rng)
            if attempt >= settings.max_attempts or time.monotonic() - started + delay > settings.max_total_s:
                raise self._gave_up(path, subject, failure, attempt, repeated=repeated, bad_body=bad_body)
            log.warning(
                "OpenAQ %s (%s): %s; retry %d of %d in %.2f s",
                path,
                subject,
                failure,
                attempt,
                settings.max_attempts - 1,
                delay,
            )
            self._count(tally, retries=1)
            if cancel is None:
                time.sleep(delay)
            elif cancel.wait(delay):
                raise Cancelled

    def _send(
        self, path: str, params: Mapping[str, str | int], deadline: float, cancel: threading.Event | None
    ) -> tuple[requests.Response, bytes]:
        """One GET within a wall-clock `deadline` for the whole exchange (socket timeouts alone are per read).

        Transport failures become _TransportFault naming only their kind; other exceptions from the HTTP stack are
        re-raised with their text scrubbed of the key, since some (an invalid header value) quote it.
        """
        connect_s, read_s = self.timeout
        remaining = max(deadline - time.monotonic(), 0.01)
        with attempt_deadline(remaining) as timer:  # cuts the socket at the deadline, headers included
            try:
                return self._get_and_read(
                    path, params, (min(connect_s, remaining), min(read_s, remaining)), cancel, timer
                )
            except _TransportFault:
                if timer.expired:
                    raise _AttemptTooSlow from None
                raise

    def _get_and_read(
        self,
        path: str,
        params: Mapping[str, str | int],
        timeout: tuple[float, float],
        cancel: threading.Event | None,
        timer: Deadline,
    ) -> tuple[requests.Response, bytes]:
        try:
            # Redirects are not followed: requests would send the X-API-Key header to whatever host they name.
            response = self._session.get(
                self.base_url + path, params=dict(params), timeout=timeout, allow_redirects=False, stream=True
            )
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            raise _TransportFault(f"no answer ({type(exc).__name__})") from None
        except (requests.RequestException, ValueError) as exc:
            raise OpenAQConfigError(
                f"the request could not be sent ({type(exc).__name__}: {self._scrub(str(exc))})",
                hint="Check OPENAQ_BASE_URL and OPENAQ_API_KEY.",
                path=path,
            ) from None
        with self._in_flight_lock:
            self._in_flight.add(response)
        complete = False
        try:
            chunks: list[bytes] = []
            size = 0
            while True:
                if cancel is not None and cancel.is_set():
                    raise Cancelled
                chunk = response.raw.read1(READ_CHUNK_BYTES, decode_content=True)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise _RetryableBody(f"a body over {MAX_BODY_BYTES} bytes")
            if cancel is not None and cancel.is_set():
                raise Cancelled
            if timer.expired:  # the cut socket read as an early end: never take a partial body for a whole one
                raise _AttemptTooSlow
            complete = True
            return response, b"".join(chunks)
        except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as exc:  # while the body streams in
            if cancel is not None and cancel.is_set():
                raise Cancelled from None
            raise _TransportFault(f"the answer was cut off ({type(exc).__name__})") from None
        finally:
            with self._in_flight_lock:
                self._in_flight.discard(response)
            if complete:
                response.raw.release_conn()  # read to the end: the connection goes back to the pool (keep-alive)
            else:
                response.close()  # cut short: a half-read connection is never reused

    def abort_in_flight(self) -> None:
        """Cut every answer still arriving (their readers then see Cancelled): used when the run is stopped."""
        with self._in_flight_lock:
            responses = list(self._in_flight)
        for response in responses:
            connection = getattr(response.raw, "connection", None)
            sock = getattr(connection, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):  # already closed: nothing left to cut
                    sock.shutdown(socket.SHUT_RDWR)

    def _accept(
        self,
        response: requests.Response,
        payload: bytes,
        path: str,
        subject: str,
        check: Callable[[dict[str, Any]], None] | None,
        tally: RequestTally | None,
    ) -> dict[str, Any]:
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type and content_type not in _JSON_TYPES:
            # A web page (captive portal, proxy login, a site at the wrong URL) is not a passing fault.
            raise self._not_an_api(f"answered HTTP {response.status_code} with {content_type}", payload, path, subject)
        try:
            body = parse_json(payload)
        except MalformedJSON as malformed:
            raise _RetryableBody(malformed.reason) from None
        except ValueError:
            if payload.lstrip()[:1] == b"<":  # markup is never JSON: a web page at the wrong URL, mislabelled
                declared = content_type or "no Content-Type"
                what = "a web page (HTML)" if b"html" in payload[:1024].lower() else "markup (XML or HTML)"
                raise self._not_an_api(
                    f"answered HTTP {response.status_code} with {what} declared as {declared}", payload, path, subject
                ) from None
            text = payload.decode("utf-8", errors="replace")
            raise _RetryableBody(f"invalid or truncated JSON: {self._excerpt(text)}") from None
        if not isinstance(body, dict) or not isinstance(body.get("results"), list):
            raise self._not_an_api("answered without the v3 envelope (a 'results' list)", payload, path, subject)
        kept = [row for row in body["results"] if not holds_non_finite(row)]
        if len(kept) != len(body["results"]):
            dropped = len(body["results"]) - len(kept)
            log.warning("OpenAQ %s (%s): dropped %d row(s) holding NaN/Infinity", path, subject, dropped)
            self._count(tally, rows_non_finite=dropped)
            body["results"] = kept
            body[DROPPED_ROWS_KEY] = dropped  # paging must count them: the page was full as sent
        if holds_non_finite(body):
            raise _RetryableBody("NaN/Infinity outside the result rows")
        if check is not None:
            check(body)
        self._count(tally, pages=1)
        return body

    def _not_an_api(self, what: str, payload: bytes, path: str, subject: str) -> OpenAQNotAnAPI:
        return OpenAQNotAnAPI(
            f"{cut(self.base_url)} {what}: it is not the OpenAQ v3 API",
            hint="Set OPENAQ_BASE_URL to the API's root (https://api.openaq.org); retrying cannot help.",
            path=path,
            subject=subject,
            body=self._excerpt(payload.decode("utf-8", errors="replace")),
        )

    def _rejected(self, response: requests.Response, text: str, path: str, subject: str) -> OpenAQError:
        status = response.status_code
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type and content_type not in _JSON_TYPES:
            return self._not_an_api(f"answered HTTP {status} with {content_type}", text.encode(), path, subject)
        error_class, problem, hint = _hint_for(status)
        return error_class(problem, hint=hint, path=path, status=status, subject=subject, body=self._excerpt(text))

    def _redirected(self, response: requests.Response, text: str, path: str, subject: str) -> OpenAQError:
        location = self._excerpt(response.headers.get("Location", "")) or "(no Location header)"
        return OpenAQRequestInvalid(
            f"the API redirected to {location}; redirects are not followed, so the API key never goes to another host",
            hint="If that address is the API's trusted new home, set OPENAQ_BASE_URL to it; otherwise check the URL.",
            path=path,
            status=response.status_code,
            subject=subject,
            body=self._excerpt(text),
        )

    def _gave_up(
        self, path: str, subject: str, failure: str, attempts: int, *, repeated: bool, bad_body: bool
    ) -> OpenAQError:
        problem = f"{failure} (gave up after {attempts} attempts)"
        if repeated:
            return OpenAQRepeatedPage(
                problem, hint="The API returned the same page twice; rerun later.", path=path, subject=subject
            )
        if bad_body:
            return OpenAQInvalidResponse(
                problem, hint="The API sent unusable bodies; rerun later.", path=path, subject=subject
            )
        return OpenAQUnavailable(
            problem,
            hint="OpenAQ is unreachable or failing; rerun later (check OPENAQ_BASE_URL).",
            path=path,
            subject=subject,
        )

    def _excerpt(self, text: str) -> str:
        return excerpt(self._scrub(text))

    def _scrub(self, text: str) -> str:
        """`text` with every form of the key (as given, stripped, escaped, URL-encoded) replaced by ***."""
        for form in sorted(self._secret_forms, key=len, reverse=True):
            text = text.replace(form, "***")
        return text

    def _count(self, tally: RequestTally | None, **counts: int) -> None:
        self.tally.add(**counts)
        if tally is not None:
            tally.add(**counts)

    # ---- paging ----
    def _pages(
        self,
        path: str,
        params: Mapping[str, str | int],
        *,
        subject: str,
        tally: RequestTally | None,
        cancel: threading.Event | None = None,
    ) -> Iterable[list[dict[str, Any]]]:
        """Every page while pages are full; a page equal to the previous one is retried, then an error."""
        previous: list[dict[str, Any]] | None = None
        for page in count(1):

            def not_repeated(
                body: dict[str, Any], previous: list[dict[str, Any]] | None = previous, page: int = page
            ) -> None:
                if previous and body["results"] == previous:
                    raise _RetryableBody(f"page {page} repeats page {page - 1}", repeated_page=True)

            body = self.get_json(
                path,
                {**params, "limit": self.page_limit, "page": page},
                subject=f"{subject}, page {page}",
                tally=tally,
                check=not_repeated,
                cancel=cancel,
            )
            results: list[dict[str, Any]] = body["results"]
            yield results
            if len(results) + body.get(DROPPED_ROWS_KEY, 0) < self.page_limit:
                return
            previous = results

    # ---- endpoints ----
    def locations_near(
        self, latitude: float, longitude: float, radius_m: int, *, tally: RequestTally | None = None
    ) -> list[dict[str, Any]]:
        """Every location within `radius_m` of the point, all pages, exactly as returned (active or not)."""
        _validate_point(latitude, longitude, radius_m)
        params: dict[str, str | int] = {"coordinates": f"{latitude},{longitude}", "radius": radius_m}
        subject = f"locations within {radius_m} m of {latitude},{longitude}"
        return [row for page in self._pages("/v3/locations", params, subject=subject, tally=tally) for row in page]

    def sensor_hours(
        self,
        sensor_id: int,
        start: datetime,
        end: datetime,
        *,
        tally: RequestTally | None = None,
        cancel: threading.Event | None = None,
    ) -> SensorHours:
        """Hourly rows whose period lies within [start, end]; rows outside are dropped and counted."""
        _validate_window(start, end)
        params = {"datetime_from": to_api_time(start), "datetime_to": to_api_time(end)}
        path = f"/v3/sensors/{sensor_id}/hours"
        inside: list[dict[str, Any]] = []
        outside = pages = no_period = 0
        for page in self._pages(path, params, subject=f"sensor {sensor_id}", tally=tally, cancel=cancel):
            pages += 1
            for row in page:
                within = _period_within(row, start, end)
                if within is None:
                    no_period += 1
                elif within:
                    inside.append(row)
                else:
                    outside += 1
        if no_period:
            log.warning("OpenAQ sensor %d: dropped %d rows without a usable period", sensor_id, no_period)
        if outside:
            log.warning(
                "OpenAQ sensor %d: dropped %d rows outside %s..%s",
                sensor_id,
                outside,
                to_api_time(start),
                to_api_time(end),
            )
        return SensorHours(sensor_id, inside, outside, pages, no_period)

    def sensors_hours(
        self,
        sensor_ids: Iterable[int],
        start: datetime,
        end: datetime,
        *,
        tally: RequestTally | None = None,
        progress: Progress | None = None,
        consume: Callable[[SensorHours], SensorHours] | None = None,
    ) -> dict[int, SensorHours]:
        """`sensor_hours` for many sensors on `max_workers` threads; the first permanent error stops the rest.

        Stopping: sensors not yet started are dropped and running ones make no further attempt (they finish at most the
        request already on the wire), so the error is raised within one request's time, not a retry budget's.
        `consume`, when given, is called in this thread with each sensor's hours as they complete, and what it returns
        is kept instead (e.g. the hours without their rows, once written elsewhere): the day is then never held whole.
        """
        ids = list(dict.fromkeys(sensor_ids))
        total, done, results = len(ids), 0, {}
        cancel = threading.Event()
        pool = ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="openaq")
        waiting = iter(ids)
        # A few sensors queued per worker, not all of them: tens of thousands of pending futures cost tens of MB.
        window = self.max_workers * 2
        futures: dict[Future[SensorHours], int] = {}
        try:
            while True:
                for sid in islice(waiting, window - len(futures)):
                    futures[pool.submit(self.sensor_hours, sid, start, end, tally=tally, cancel=cancel)] = sid
                if not futures:
                    break
                finished, _ = wait(futures, timeout=INTERRUPT_CHECK_S, return_when=FIRST_COMPLETED)
                for future in finished:
                    hours = future.result()
                    results[futures.pop(future)] = hours if consume is None else consume(hours)  # its rows go
                    done += 1
                    log.info("OpenAQ hours: %d/%d sensors", done, total)
                    if progress is not None:
                        progress(done, total)
                del finished
        except BaseException:
            cancel.set()  # siblings raise Cancelled, which nobody reads: this error is the one reported
            self.abort_in_flight()  # a body still trickling in must not hold the stop (SIGTERM ends up here too)
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        return results


def _validate_point(latitude: float, longitude: float, radius_m: int) -> None:
    if not -90 <= latitude <= 90:
        raise OpenAQConfigError(f"latitude {latitude} is outside -90..90", hint="Latitude comes first (Vienna: 48.2).")
    if not -180 <= longitude <= 180:
        raise OpenAQConfigError(f"longitude {longitude} is outside -180..180", hint="Use decimal degrees.")
    if isinstance(radius_m, bool) or not isinstance(radius_m, int) or not 1 <= radius_m <= MAX_RADIUS_M:
        raise OpenAQConfigError(
            f"radius {radius_m!r} m is not an integer in 1..{MAX_RADIUS_M}", hint="OpenAQ v3 allows at most 25 km."
        )


def _validate_window(start: datetime, end: datetime) -> None:
    require_aware(start, "start")
    require_aware(end, "end")
    if not start < end:
        raise OpenAQConfigError(f"window start {start} is not before end {end}", hint="Pass start < end.")


def _period_within(row: Any, start: datetime, end: datetime) -> bool | None:
    """Whether the row's period lies in [start, end]; None when it has no usable period (dropped and counted)."""
    try:
        period = row["period"]
        period_start = parse_api_time(period["datetimeFrom"]["utc"])
        period_end = parse_api_time(period["datetimeTo"]["utc"])
    except (KeyError, TypeError, ValueError):
        return None
    return start <= period_start and period_end <= end
