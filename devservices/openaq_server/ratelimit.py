"""Server-side fixed-window rate limit per API key, sending the real x-ratelimit-* headers."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


@dataclass
class _Window:
    started: float
    used: int


class FixedWindowLimiter:
    """`limit` requests per `window_s` seconds per key; `reset` is whole seconds until the window ends."""

    def __init__(self, limit: int, window_s: float) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}
        self.configure(limit, window_s)

    def configure(self, limit: int, window_s: float) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError(f"rate limit must be >= 1 request per > 0 s, got {limit} per {window_s} s")
        with self._lock:
            self.limit, self.window_s = limit, window_s
            self._windows.clear()

    def hit(self, key: str) -> tuple[bool, dict[str, str]]:
        """Count one request; returns whether it is allowed and the headers to send with the answer."""
        now = time.monotonic()
        with self._lock:
            window = self._windows.get(key)
            if window is None or now >= window.started + self.window_s:
                window = self._windows[key] = _Window(started=now, used=0)
            allowed = window.used < self.limit
            if allowed:
                window.used += 1
            reset = max(1, math.ceil(window.started + self.window_s - now))
            headers = {
                "x-ratelimit-limit": str(self.limit),
                "x-ratelimit-used": str(window.used),
                "x-ratelimit-remaining": str(self.limit - window.used),
                "x-ratelimit-reset": str(reset),
            }
        return allowed, headers
