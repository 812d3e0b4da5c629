"""How compile time grows with the number of assets: fit `time ≈ a + b·n^k` and read the exponent k.

A ratio of per-asset times cannot see quadratic growth when a fixed cost is spread over the assets; the exponent of
a fitted power law can: k ≈ 1 is linear, k ≈ 2 quadratic, whatever the fixed cost `a`. For each k on a fine grid,
`a` and `b` follow by linear least squares (residuals relative to the measured time, so the large sizes do not drown
the small ones); the k with the smallest error wins.

On a shared machine the verdict fits each size's fastest run (`fastest_run_fit`): another tenant only ever adds
time, so the fastest of several runs is the closest to what the work itself costs (as `timeit` reports the best of
its repeats), while one fit per run reads whichever size a slow spell hit (per-run k of identical code ranged from
0.99 to 1.26 here). What grows with n, an n·log n or a working set outgrowing the caches, is in every run, fastest
included, so that fit still shows it.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

EXPONENTS = np.round(np.arange(0.5, 3.001, 0.01), 2)
LINEAR_LIMIT = 1.1  # k above this: worse than linear (issue 28: k <= 1.1 up to 10,000 assets)


@dataclass(frozen=True)
class PowerFit:
    """`seconds ≈ fixed + per_unit · n^exponent`, and the largest relative residual of that fit."""

    fixed: float
    per_unit: float
    exponent: float
    worst_residual: float

    @property
    def linear(self) -> bool:
        return self.exponent <= LINEAR_LIMIT

    def predict(self, n: float) -> float:
        return self.fixed + self.per_unit * n**self.exponent


def fit_power(sizes: Sequence[float], seconds: Sequence[float]) -> PowerFit:
    """Least-squares fit over at least three sizes; `per_unit` must come out positive (time grows with n)."""
    n = np.asarray(sizes, dtype=float)
    t = np.asarray(seconds, dtype=float)
    if len(n) < 3 or len(n) != len(t) or np.any(n <= 0) or np.any(t <= 0):
        raise ValueError("need >= 3 positive sizes and as many positive times")
    weights = 1.0 / t
    best: PowerFit | None = None
    best_error = np.inf
    for k in EXPONENTS:
        design = np.column_stack([np.ones_like(n), n**k]) * weights[:, None]
        (a, b), *_ = np.linalg.lstsq(design, t * weights, rcond=None)
        if b <= 0:
            continue
        relative = (a + b * n**k - t) / t
        error = float(np.sum(relative**2))
        if error < best_error:
            best_error = error
            best = PowerFit(float(a), float(b), float(k), float(np.max(np.abs(relative))))
    if best is None:
        raise ValueError("time does not grow with n: no fit with a positive coefficient")
    return best


def marginal_slope(sizes: Sequence[float], seconds: Sequence[float]) -> float:
    """Log-log slope of the marginal time per asset, Δt/Δn between neighbouring sizes, against n.

    0 for linear growth (each extra asset costs the same), 1 for quadratic; a second view independent of the fit.
    """
    n = np.asarray(sizes, dtype=float)
    t = np.asarray(seconds, dtype=float)
    order = np.argsort(n)
    n, t = n[order], t[order]
    marginal = np.diff(t) / np.diff(n)
    middle = np.sqrt(n[1:] * n[:-1])
    if len(marginal) < 2 or np.any(marginal <= 0):
        return float("nan")  # noise made an extra asset look free: no slope to read
    slope, _ = np.polyfit(np.log(middle), np.log(marginal), 1)
    return float(slope)


def fastest_run_fit(sizes: Sequence[float], runs: Sequence[Sequence[float]]) -> tuple[PowerFit, tuple[float, ...]]:
    """The fit of each size's fastest run (`runs[i][j]`: run i's seconds at `sizes[j]`), and the exponent of the same
    fit with each run left out in turn: how much the verdict depends on any one run (one exponent with one run)."""
    if not runs or any(len(run) != len(sizes) for run in runs):
        raise ValueError("need at least one run with a time for every size")
    fastest = [min(run[j] for run in runs) for j in range(len(sizes))]
    if len(runs) == 1:
        fit = fit_power(sizes, fastest)
        return fit, (fit.exponent,)
    left_out = tuple(
        fit_power(sizes, [min(run[j] for i, run in enumerate(runs) if i != out) for j in range(len(sizes))]).exponent
        for out in range(len(runs))
    )
    return fit_power(sizes, fastest), left_out
