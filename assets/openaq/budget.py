"""This process's share of the API key's request budget, so pods running in parallel never provoke a 429.

OpenAQ limits requests per API key (60 per minute), not per pod. When the Argo fan-out runs N cities at once it
passes its bound `FAN_OUT_PARALLELISM=N` to every pod; each pod then keeps to 60 / N requests in any minute
(a sliding window over the times its requests were sent), so N pods together stay within the key's 60 whatever the
server's window alignment. The `x-ratelimit-*` headers still pace on top of that (`RatePacer`).
"""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from assets.openaq.errors import OpenAQConfigError, shown

REQUESTS_PER_MINUTE = 60  # OpenAQ v3's limit per key
PARALLELISM_VARIABLE = "FAN_OUT_PARALLELISM"
# A key with another limit (OpenAQ grants higher ones on request; a local stand-in has none worth keeping to).
KEY_LIMIT_VARIABLE = "OPENAQ_REQUESTS_PER_MINUTE"
# The window is held a little longer than the server's, so a request that arrives late (network delay) cannot
# land in the server's next window together with that window's own full share.
ARRIVAL_SLACK = 0.05


@dataclass(frozen=True)
class RateBudget:
    """At most `requests` requests in any `window_s` seconds."""

    requests: int
    window_s: float

    def __post_init__(self) -> None:
        if self.requests < 1 or not self.window_s > 0:
            raise OpenAQConfigError(
                f"rate budget {self.requests} per {self.window_s} s is empty",
                hint="Use at least 1 request per window.",
            )

    def share(self, parallelism: int) -> RateBudget:
        """One of `parallelism` equal shares, rounded down (a share of less than one request per window is one
        request per a longer window)."""
        if parallelism <= 1:
            return self
        whole = self.requests // parallelism
        if whole >= 1:
            return RateBudget(whole, self.window_s)
        return RateBudget(1, self.window_s * parallelism / self.requests)

    @property
    def per_minute(self) -> float:
        return self.requests * 60.0 / self.window_s


def fan_out_parallelism(environ: Mapping[str, str] | None = None) -> int:
    """`FAN_OUT_PARALLELISM` as a positive integer; 1 when unset or empty."""
    hint = "The Argo fan-out sets it to its parallelism bound; unset it for a single process."
    return _positive(PARALLELISM_VARIABLE, 1, hint, environ)


def key_budget(configured: int, environ: Mapping[str, str] | None = None) -> RateBudget:
    """The API key's whole budget per minute: `OPENAQ_REQUESTS_PER_MINUTE` when set, else `configured` (the
    resource's `requests_per_minute`, OpenAQ's 60). Raises OpenAQConfigError for a value that is not a positive
    integer."""
    hint = f"Set it to the key's limit per minute, or unset it for OpenAQ's {REQUESTS_PER_MINUTE}."
    return RateBudget(_positive(KEY_LIMIT_VARIABLE, configured, hint, environ), 60.0)


def _positive(variable: str, default: int, hint: str, environ: Mapping[str, str] | None) -> int:
    """`variable` as a positive integer; `default` when unset or empty."""
    raw = (os.environ if environ is None else environ).get(variable, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise OpenAQConfigError(f"{variable}={shown(raw)} is not a positive integer", hint=hint)
    return value


def pod_budget(total: RateBudget, environ: Mapping[str, str] | None = None) -> RateBudget:
    """This pod's share of the key's budget: `total` divided by `FAN_OUT_PARALLELISM` (1 when unset)."""
    return total.share(fan_out_parallelism(environ))


class SlidingWindowLimit:
    """Counts the send times of the last window; not thread-safe on its own (RatePacer holds its lock)."""

    def __init__(self, budget: RateBudget, slack: float = ARRIVAL_SLACK) -> None:
        self.budget = budget
        self.window_s = budget.window_s * (1.0 + slack)
        self._sent: deque[float] = deque()

    def free_at(self, now: float) -> float:
        """The earliest time (>= now) a request may be sent."""
        while self._sent and self._sent[0] <= now - self.window_s:
            self._sent.popleft()
        if len(self._sent) < self.budget.requests:
            return now
        return self._sent[0] + self.window_s

    def record(self, now: float) -> None:
        self._sent.append(now)


def floor_seconds(requests: int, budget: RateBudget) -> float:
    """The least time `requests` requests take under `budget` when the first window's requests go at once:
    (ceil(requests / budget) - 1) whole windows."""
    return max(0, math.ceil(requests / budget.requests) - 1) * budget.window_s
