"""Retry policy: which failures are transient, and exponential backoff with jitter within a time budget."""

from __future__ import annotations

import random
from dataclasses import dataclass

from assets.openaq.errors import OpenAQConfigError

RETRYABLE_STATUSES = frozenset({408, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetrySettings:
    """Attempts and total time bound the transient-failure retries; 429 waits are bounded separately.

    `attempt_deadline_s` is wall-clock time for one request, body included: socket timeouts apply per read, so a
    body trickled a byte at a time would otherwise never end. `max_rate_limit_wait_s` caps any one wait a server
    asks for (Retry-After, x-ratelimit-reset), so a bad header can never hold a run for years.
    """

    max_attempts: int = 5
    base_delay_s: float = 1.0
    max_delay_s: float = 30.0
    max_total_s: float = 300.0
    rate_limit_fallback_s: float = 60.0
    max_rate_limit_waits: int = 10
    max_rate_limit_wait_s: float = 120.0
    attempt_deadline_s: float = 60.0

    def __post_init__(self) -> None:
        for name in ("max_attempts", "max_rate_limit_waits"):
            if getattr(self, name) < 1:
                raise OpenAQConfigError(f"RetrySettings.{name} must be >= 1", hint="Use a positive count.")
        for name in ("base_delay_s", "max_delay_s", "max_total_s", "rate_limit_fallback_s", "max_rate_limit_wait_s"):
            if getattr(self, name) < 0:
                raise OpenAQConfigError(f"RetrySettings.{name} must be >= 0", hint="Use a non-negative duration.")
        if not self.attempt_deadline_s > 0:
            raise OpenAQConfigError("RetrySettings.attempt_deadline_s must be > 0", hint="Use e.g. 60 seconds.")

    def backoff_s(self, attempt: int, rng: random.Random) -> float:
        """Delay after failed attempt `attempt` (1-based): half fixed, half random ("equal jitter")."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)
