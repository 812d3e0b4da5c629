"""Client-side pacing from the x-ratelimit-* headers, shared by all worker threads of a client."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

POLL_S = 0.05


@dataclass(frozen=True)
class Ticket:
    """Permission to send one request; `probe` marks the single request sent while the budget is unknown."""

    probe: bool


def _header_int(headers: Mapping[str, str], name: str) -> float | None:
    raw = headers.get(name)
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None


class RatePacer:
    """Never sends more than the window allows: counts down `remaining`, sleeps `reset` seconds at zero.

    While the budget is unknown (first request, or after a window ended) only one probe request is in flight.
    Estimates are conservative: requests still in flight are subtracted from what the server reports.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._cond = threading.Condition()
        self._remaining: float | None = None
        self._reset_at: float | None = None
        self._in_flight = 0
        self._probing = False
        self.waits = 0

    def acquire(self) -> Ticket:
        with self._cond:
            waited = False
            while True:
                now = self._clock()
                if self._reset_at is not None and now >= self._reset_at:
                    self._remaining, self._reset_at = None, None
                if self._remaining is None and not self._probing:
                    self._probing = True
                    return self._grant(Ticket(probe=True), waited)
                if self._remaining is not None and self._remaining >= 1:
                    self._remaining -= 1
                    return self._grant(Ticket(probe=False), waited)
                waited = True
                timeout = POLL_S if self._reset_at is None else min(POLL_S, self._reset_at - now)
                self._cond.wait(timeout=max(timeout, 0.001))

    def _grant(self, ticket: Ticket, waited: bool) -> Ticket:
        self._in_flight += 1
        if waited:
            self.waits += 1
        return ticket

    def release(self, ticket: Ticket, headers: Mapping[str, str] | None) -> None:
        """Record the answer's headers (None when no answer arrived)."""
        with self._cond:
            self._in_flight -= 1
            if ticket.probe:
                self._probing = False
            remaining = _header_int(headers, "x-ratelimit-remaining") if headers is not None else None
            reset = _header_int(headers, "x-ratelimit-reset") if headers is not None else None
            if remaining is not None and reset is not None:
                self._update(remaining - self._in_flight, self._clock() + reset)
            self._cond.notify_all()

    def block_for(self, seconds: float) -> None:
        """No request until `seconds` from now (a 429 without usable headers)."""
        with self._cond:
            self._update(0, self._clock() + seconds)
            self._cond.notify_all()

    def _update(self, remaining: float, reset_at: float) -> None:
        if self._remaining is None or self._reset_at is None:
            self._remaining, self._reset_at = remaining, reset_at
        else:
            self._remaining = min(self._remaining, remaining)
            self._reset_at = max(self._reset_at, reset_at)
