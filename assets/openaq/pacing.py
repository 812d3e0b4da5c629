"""Client-side pacing from the x-ratelimit-* headers, shared by all worker threads of a client."""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from assets.openaq.budget import RateBudget, SlidingWindowLimit

POLL_S = 0.05
# `reset` is whole seconds, so answers from one window give reset times up to ~1 s apart.
SAME_WINDOW_SLACK_S = 1.0
# A reset above this many seconds (~3 years) cannot be a delay: it is a Unix timestamp (some gateways send one).
EPOCH_THRESHOLD_S = 1e8
# No header may hold requests longer than this: OpenAQ's longest window is an hour.
MAX_HEADER_WAIT_S = 3600.0


@dataclass(frozen=True)
class Ticket:
    """Permission to send one request; `probe` marks the single request sent while the budget is unknown.
    `window`: which of the pacer's windows granted it (RatePacer._window), so its answer can be told from a late one;
    `serial`: which grant it was, so the pacer knows which requests the server's count may not include yet."""

    probe: bool
    window: int = field(default=0, compare=False)
    serial: int = field(default=0, compare=False)


class Cancelled(Exception):
    """The caller's cancel event was set: stop waiting, send nothing (not an error of its own)."""


def _header_number(headers: Mapping[str, str], name: str) -> float | None:
    raw = headers.get(name)
    try:
        value = float(raw) if raw is not None else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _as_delay(value: float | None, now: Callable[[], float], cap: float) -> float | None:
    """A positive delay from a number that is either seconds or an epoch timestamp; at most `cap`."""
    if value is None:
        return None
    if value > EPOCH_THRESHOLD_S:
        value -= now()
    return min(value, cap) if value > 0 else None


def reset_seconds(
    headers: Mapping[str, str], now: Callable[[], float] = time.time, cap: float = MAX_HEADER_WAIT_S
) -> float | None:
    """Seconds until the rate window resets, from `x-ratelimit-reset` (seconds, or a Unix timestamp as some
    gateways send it); None when missing, unparsable or not in the future. Never more than `cap`."""
    return _as_delay(_header_number(headers, "x-ratelimit-reset"), now, cap)


def retry_after_seconds(
    headers: Mapping[str, str], now: Callable[[], float] = time.time, cap: float = MAX_HEADER_WAIT_S
) -> float | None:
    """`Retry-After` (RFC 9110: delay-seconds or an HTTP-date) as seconds from now; None when absent or unusable.
    Never more than `cap`."""
    raw = headers.get("Retry-After")
    if raw is None:
        return None
    seconds = _header_number(headers, "Retry-After")
    if seconds is not None:
        return _as_delay(seconds, now, cap)
    try:
        moment = parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # RFC 9110 dates are GMT; a zone-less one is read as such
        return None
    return _as_delay(moment.timestamp(), now, cap)


def wait_seconds(
    headers: Mapping[str, str], now: Callable[[], float] = time.time, cap: float = MAX_HEADER_WAIT_S
) -> float | None:
    """How long a 429 asks us to wait: `Retry-After` when present and usable, else `x-ratelimit-reset`. `cap`
    math.inf gives what the server asked, for a message that says so."""
    after = retry_after_seconds(headers, now, cap)
    return after if after is not None else reset_seconds(headers, now, cap)


def asked_wait(headers: Mapping[str, str]) -> str:
    """The header a 429's wait came from, as sent (cut to 40 characters), for messages: 'Retry-After: 999999'."""
    name = "Retry-After" if retry_after_seconds(headers) is not None else "x-ratelimit-reset"
    value = headers.get(name)
    if value is None:
        return "no Retry-After or x-ratelimit-reset header"
    value = " ".join(value.split())
    return f"{name}: {value if len(value) <= 40 else value[:40] + '…'}"


class RatePacer:
    """Never sends more than the window allows: counts down `remaining`, sleeps `reset` seconds at zero.

    While the budget is unknown (first request, or after a window ended) only one probe request is in flight.
    Estimates are conservative yet count each request once: the window's lowest reported `remaining` already includes
    every request answered in it (the server counts down in the order it handles them), so only the requests it may
    not include are subtracted: those still in flight, and those that got no answer.
    An answer from a later window replaces the budget, one from an ended window is ignored. Each answer bounds the
    window's end from above (the server rounds `reset` up to whole seconds), and the earliest bound of the current
    window's own requests is kept, so the next window is not waited for late; `block_for` (a 429) holds every
    request until its time is up, whatever budget other answers report.
    With a `budget` (this pod's share of the key's limit, `assets.openaq.budget`) no more requests are sent in any
    window than the share allows, whatever the headers say: other pods spend the same key.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        max_wait_s: float = MAX_HEADER_WAIT_S,
        budget: RateBudget | None = None,
    ) -> None:
        self._clock = clock
        self.max_wait_s = max_wait_s
        self.budget = budget
        self._limit = SlidingWindowLimit(budget) if budget is not None else None
        self._cond = threading.Condition()
        self._remaining: float | None = None  # the lowest `remaining` the current window's answers reported
        self._reset_at: float | None = None
        self._serials = itertools.count(1)
        self._in_flight: set[int] = set()
        # Requests `_remaining` may not include: in flight, or answered without headers in the current window.
        self._uncounted: set[int] = set()
        self._probing = False
        self._blocked_until = -math.inf
        # Counts the windows this pacer has opened: a request granted in the current one was sent after the previous
        # window ended (its end estimate is an upper bound), so its answer cannot come from an ended window.
        self._window = 0
        self._bound_is_current = False  # whether `_reset_at` came from an answer granted in the current window
        self.waits = 0

    def acquire(self, cancel: threading.Event | None = None) -> Ticket:
        """Wait for permission to send one request; raises Cancelled as soon as `cancel` is set."""
        with self._cond:
            waited = False
            while True:
                if cancel is not None and cancel.is_set():
                    raise Cancelled
                now = self._clock()
                if self._reset_at is not None and now >= self._reset_at:
                    self._forget_window()
                free_at = self._limit.free_at(now) if self._limit is not None else now
                if now >= self._blocked_until and free_at <= now:
                    if self._remaining is None and not self._probing:
                        self._probing = True
                        return self._grant(True, waited)
                    if self._remaining is not None and self._remaining - len(self._uncounted) >= 1:
                        return self._grant(False, waited)
                waited = True
                wake_at = self._blocked_until if now < self._blocked_until else self._reset_at
                if free_at > now:
                    wake_at = free_at if wake_at is None else max(wake_at, free_at)
                timeout = POLL_S if wake_at is None else min(POLL_S, wake_at - now)
                self._cond.wait(timeout=max(timeout, 0.001))

    def _grant(self, probe: bool, waited: bool) -> Ticket:
        ticket = Ticket(probe=probe, window=self._window, serial=next(self._serials))
        if self._limit is not None:
            self._limit.record(self._clock())
        self._in_flight.add(ticket.serial)
        self._uncounted.add(ticket.serial)
        if waited:
            self.waits += 1
        return ticket

    def release(self, ticket: Ticket, headers: Mapping[str, str] | None) -> None:
        """Record the answer's headers (None when no answer arrived: the server may still have counted the request,
        so it stays subtracted until the window ends)."""
        with self._cond:
            self._in_flight.discard(ticket.serial)
            if ticket.probe:
                self._probing = False
            remaining = _header_number(headers, "x-ratelimit-remaining") if headers is not None else None
            reset = reset_seconds(headers) if headers is not None else None
            if remaining is not None and reset is not None:
                reset_at = self._clock() + min(reset, self.max_wait_s)
                self._update(remaining, reset_at, current=ticket.window == self._window)
                # Its window's lowest count includes it (its own count, or a lower one the server gave later), or it
                # was answered from an ended window: either way it no longer takes from the current one.
                self._uncounted.discard(ticket.serial)
            self._cond.notify_all()

    def block_for(self, seconds: float) -> None:
        """No request until `seconds` from now (a 429); afterwards a probe learns the budget unless an answer did."""
        with self._cond:
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)
            self._forget_window()
            self._cond.notify_all()

    def _forget_window(self) -> None:
        """The window ended (or a 429 said so): a probe learns the next one. Requests still in flight may yet be
        counted in it."""
        self._remaining, self._reset_at = None, None
        self._uncounted &= self._in_flight
        self._window += 1

    def _update(self, remaining: float, reset_at: float, current: bool) -> None:
        """`reset_at`: the answer's upper bound on the window's end (its arrival plus a reset the server rounds up to
        whole seconds); `current`: the request was granted in the pacer's current window."""
        if self._remaining is None or self._reset_at is None:
            self._remaining, self._reset_at = remaining, reset_at  # the first answer since the window opened
            self._bound_is_current = current
        elif self._clock() >= self._reset_at or reset_at > self._reset_at + SAME_WINDOW_SLACK_S:
            self._remaining, self._reset_at = remaining, reset_at  # an answer from a later window
            self._window += 1  # what was granted before may still be answered from the ended one
            self._bound_is_current = True
        elif reset_at >= self._reset_at - SAME_WINDOW_SLACK_S:
            # The same window: the lower count is the later one, and includes every request answered before it.
            self._remaining = min(self._remaining, remaining)
            # Every answer of this window bounds its end from above, so the earliest bound is the safe one. An answer
            # to a request granted before this window opened may be a late one from the ended window, whose bound
            # says nothing about this one: it can only extend the wait, and the first current answer replaces it.
            if not current:
                self._reset_at = max(self._reset_at, reset_at)
            elif self._bound_is_current:
                self._reset_at = min(self._reset_at, reset_at)
            else:
                self._reset_at, self._bound_is_current = reset_at, True
        # else: a late answer from a window that has already ended says nothing about the current one
