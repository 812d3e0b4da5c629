"""Dagster's RetryPolicy → Argo's `retryStrategy.backoff`, approximated where Argo has no equivalent.

Dagster waits `calculate_delay(n, backoff, jitter, delay)` before retry n (1-based, `dagster._core.definitions.policy`):
no backoff `d`, LINEAR `d·n`, EXPONENTIAL `d·(2ⁿ−1)`; FULL jitter then draws uniformly from `[0, that]`, PLUS_MINUS
adds a uniform `[−d, +d]`. Argo waits `duration·factorⁿ⁻¹`, limited to `cap` when set, and never draws at random.
So: LINEAR becomes factor 2 capped at Dagster's last delay `d·max_retries` (exact up to 3 retries: d, 2d, 3d), and
jitter is dropped, Argo waiting the delay Dagster's draw is centred on (PLUS_MINUS) or bounded by (FULL). Each such
approximation is one warning naming the asset and both delay sequences (compiler/README.md has the table).
"""

import math
from dataclasses import dataclass

import dagster as dg

from compiler.builder.model import AssetSpec, RetrySpec
from compiler.settings import Defaults

SHOWN_RETRIES = 4  # a warning lists at most this many delays
SHOWN_ASSETS = 5  # the retry_failures warning names at most this many assets


@dataclass(frozen=True)
class RetryMapping:
    spec: RetrySpec | None
    warning: str | None = None


def argo_delays(spec: RetrySpec) -> list[int]:
    """What Argo waits before each retry (controller: duration·factorⁿ⁻¹, then `cap`)."""
    if not spec.delay_seconds:
        return [0] * spec.limit
    delays = [spec.delay_seconds * (spec.factor or 1) ** (n - 1) for n in range(1, spec.limit + 1)]
    return [min(delay, spec.cap_seconds) if spec.cap_seconds else delay for delay in delays]


def dagster_delays(policy: dg.RetryPolicy) -> list[str]:
    """Dagster's delays as text: a number, or the range a jittered draw falls in."""
    delay = policy.delay or 0
    texts = []
    for n in range(1, policy.max_retries + 1):
        base = _base_delay(n, policy.backoff, delay)
        if policy.jitter == dg.Jitter.FULL:
            texts.append(f"0–{_seconds(base)}")
        elif policy.jitter == dg.Jitter.PLUS_MINUS:
            texts.append(f"{_seconds(base - delay)}–{_seconds(base + delay)}")
        else:
            texts.append(_seconds(base))
    return texts


def map_retry_policy(asset: str, policy: dg.RetryPolicy | None) -> RetryMapping:
    if policy is None:
        return RetryMapping(None)
    if policy.max_retries == 0:
        return RetryMapping(RetrySpec(limit=0, delay_seconds=None, factor=None))  # "never retry" beats the default
    delay = math.ceil(policy.delay) if policy.delay else None
    if delay is None:  # no delay: jitter and backoff multiply zero, so Dagster and Argo both retry at once
        return RetryMapping(RetrySpec(limit=policy.max_retries, delay_seconds=None, factor=None))
    if policy.backoff == dg.Backoff.LINEAR:
        cap = delay * policy.max_retries if policy.max_retries > 2 else None
        spec = RetrySpec(limit=policy.max_retries, delay_seconds=delay, factor=2, cap_seconds=cap)
    else:
        factor = 2 if policy.backoff == dg.Backoff.EXPONENTIAL else 1
        spec = RetrySpec(limit=policy.max_retries, delay_seconds=delay, factor=factor)
    if policy.jitter is None and policy.backoff != dg.Backoff.LINEAR:
        return RetryMapping(spec)  # the documented EXPONENTIAL difference, unchanged (compiler/README.md)
    dagster = dagster_delays(policy)
    argo = [str(d) for d in argo_delays(spec)]
    if policy.jitter is None and dagster == argo:
        return RetryMapping(spec)  # LINEAR with at most 3 retries: factor 2 capped is exact
    what = " and ".join(
        part
        for part in (
            "backoff LINEAR" if policy.backoff == dg.Backoff.LINEAR else "",
            f"jitter {policy.jitter.name}" if policy.jitter else "",
        )
        if part
    )
    return RetryMapping(
        spec,
        f"asset {asset}: RetryPolicy {what} has no Argo equivalent; Dagster waits {_listed(dagster)} s before "
        f"retries 1..{policy.max_retries}, Argo will wait {_listed(argo)} s (compiler/README.md, retry delays)",
    )


def _base_delay(attempt: int, backoff: dg.Backoff | None, delay: float) -> float:
    if backoff == dg.Backoff.EXPONENTIAL:
        return delay * (2**attempt - 1)
    if backoff == dg.Backoff.LINEAR:
        return delay * attempt
    return delay


def _seconds(value: float) -> str:
    return f"{max(value, 0):g}"


def _listed(delays: list[str]) -> str:
    shown = ", ".join(delays[:SHOWN_RETRIES])
    return shown + (", …" if len(delays) > SHOWN_RETRIES else "")


def failure_retry_warning(assets: tuple[AssetSpec, ...], defaults: Defaults) -> str | None:
    """`[tool.compiler.defaults] retry_failures = true` changes what a project means: an asset without a RetryPolicy
    runs once under Dagster and up to `retry_limit + 1` times on Argo. One warning naming the setting and the assets."""
    if not defaults.retry_failures or not defaults.retry_limit:
        return None
    names = [asset.key_path for asset in assets if asset.retry is None]
    if not names:
        return None
    more = len(names) - SHOWN_ASSETS
    shown = ", ".join(names[:SHOWN_ASSETS]) + (f" and {more} more" if more > 0 else "")
    return (
        f"[tool.compiler.defaults] retry_failures = true: asset(s) without a RetryPolicy ({shown}) are retried up "
        f"to {defaults.retry_limit} time(s) after they fail, where Dagster runs them once; give them a RetryPolicy "
        "instead to keep one meaning (compiler/README.md, retries)"
    )
