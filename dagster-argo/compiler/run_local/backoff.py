"""Argo's retry backoff, computed as the workflow controller computes it, so a replay waits as a cluster would.

Ported from `processNodeRetries` (workflow/controller/operator.go, Argo 4.1) after a failed attempt:
1. with `maxDuration`, the deadline is the first attempt's start + maxDuration; past it the node fails
   ("Max duration limit exceeded");
2. the wait before retry n (n = attempts so far) is `duration · factor^(n-1)` when `factor` > 0, else `duration`,
   then at most `cap`; the next attempt starts at the last attempt's end + that wait;
3. if that start lies past the maxDuration deadline, the node fails now ("Backoff would exceed max duration limit");
4. the controller waits only while attempts <= limit, and it waits *before* it evaluates `retryPolicy` and
   `expression`: a failure the expression does not retry (exit 2 or 3 here) still ends after the wait.
Durations are Argo's `ParseStringToDuration`: a bare integer is seconds, otherwise a Go duration (`10s`, `1m30s`,
`1.5h`; also `d` for days). `factor` is an integer (a string holding one, too), as Argo's `intstr.Int32` reads it.
A replay may shorten every wait by a scale (`run-local --backoff-scale`, for tests); the default is Argo's time.
"""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compiler.run_local.errors import RunLocalError

_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_UNIT_SECONDS["d"] = 86400.0
_GO_DURATION = re.compile(r"^[+-]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d))+$")
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)")


@dataclass(frozen=True)
class Backoff:
    """A template's `retryStrategy.backoff`, in seconds."""

    duration_s: float
    factor: int | None = None
    cap_s: float | None = None
    max_duration_s: float | None = None

    def describe(self) -> str:
        parts = [f"duration {self.duration_s:g}s"]
        if self.factor is not None:
            parts.append(f"factor {self.factor}")
        if self.cap_s is not None:
            parts.append(f"cap {self.cap_s:g}s")
        if self.max_duration_s is not None:
            parts.append(f"maxDuration {self.max_duration_s:g}s")
        return ", ".join(parts)

    def scaled(self, scale: float) -> "Backoff":
        """Every controller time (waits, cap, maxDuration) times `scale`: a shortened replay keeps the same
        decisions for attempts that take no time."""
        if scale == 1:
            return self
        return Backoff(
            self.duration_s * scale,
            self.factor,
            None if self.cap_s is None else self.cap_s * scale,
            None if self.max_duration_s is None else self.max_duration_s * scale,
        )

    def wait_s(self, attempts_so_far: int) -> float:
        """Argo's timeToWait before the next attempt, after `attempts_so_far` (>= 1) attempts."""
        wait = self.duration_s
        if self.factor is not None and self.factor > 0:
            wait = self.duration_s * math.pow(self.factor, attempts_so_far - 1)
        if self.cap_s is not None and wait > self.cap_s:
            wait = self.cap_s
        return wait


@dataclass(frozen=True)
class NextAttempt:
    """What the controller decides after a failed attempt: wait this long (then apply retryPolicy/expression), or
    fail the node now with Argo's message."""

    wait_s: float
    fail_message: str | None = None


def next_attempt(
    backoff: Backoff, attempts_so_far: int, first_started: float, last_finished: float, now: float
) -> NextAttempt:
    """Steps 1-3 of the module docstring; times are seconds on one monotonic clock."""
    deadline = first_started + backoff.max_duration_s if backoff.max_duration_s is not None else None
    if deadline is not None and now > deadline:
        return NextAttempt(0.0, "Max duration limit exceeded")
    wait = backoff.wait_s(attempts_so_far)
    if deadline is not None and last_finished + wait > deadline:
        return NextAttempt(0.0, "Backoff would exceed max duration limit")
    return NextAttempt(max(0.0, last_finished + wait - now))


def parse_backoff(raw: Any, template: str) -> Backoff | None:
    """`retryStrategy.backoff` as Argo reads it; what Argo would reject is a RunLocalError naming the field."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise RunLocalError(f"template {template!r}: retryStrategy.backoff must be a mapping")
    where = f"template {template!r}: retryStrategy.backoff"
    unknown = sorted(set(raw) - {"duration", "factor", "cap", "maxDuration"})
    if unknown:
        raise RunLocalError(f"{where}: unknown field(s) {', '.join(unknown)}")
    if raw.get("duration") in (None, ""):
        raise RunLocalError(f"{where}: no duration (Argo fails the node: 'no base duration specified')")
    return Backoff(
        duration_s=parse_duration(raw["duration"], f"{where}.duration"),
        factor=_factor(raw.get("factor"), f"{where}.factor"),
        cap_s=parse_duration(raw["cap"], f"{where}.cap") if raw.get("cap") not in (None, "") else None,
        max_duration_s=(
            parse_duration(raw["maxDuration"], f"{where}.maxDuration")
            if raw.get("maxDuration") not in (None, "")
            else None
        ),
    )


def parse_duration(value: Any, where: str) -> float:
    """Argo's ParseStringToDuration: an integer is seconds, otherwise a Go duration string."""
    text = str(value).strip()
    if re.fullmatch(r"[+-]?\d+", text):
        return float(int(text))
    if not _GO_DURATION.fullmatch(text):
        raise RunLocalError(f"{where}: {text!r} is not a duration (seconds, or e.g. 10s, 2m, 1h30m)")
    seconds = sum(float(number) * _UNIT_SECONDS[unit] for number, unit in _PART.findall(text))
    return -seconds if text.startswith("-") else seconds


def _factor(value: Any, where: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise RunLocalError(f"{where}: {value!r} is not an integer")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise RunLocalError(f"{where}: {text!r} cannot be resolved to an int (Argo reads factor as an integer)")
    return int(text)
