"""RetryPolicy jitter and LINEAR backoff compile to the closest Argo backoff, with a warning naming the delays.

Dagster's delays come from Dagster's own `calculate_delay`; Argo's from the rendered `backoff` read back with the
controller's rule (duration·factorⁿ⁻¹, then `cap`), written out here independently of compiler/builder/retry.py.
"""

import random
import re
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
from dagster._core.definitions.policy import calculate_delay

from compiler.builder.load import project_from_definitions
from compiler.builder.retry import dagster_delays
from tests.compiler.shapes import make_asset
from tests.compiler.support import REPO, compile_defs, run_compiler, workflow_template, write_project

README = REPO / "dagster-argo" / "compiler" / "README.md"
SAMPLES = 4000


def _argo_waits(strategy: dict[str, Any]) -> list[float]:
    """Argo's controller: retry n waits duration·factor^(n−1), no more than cap."""
    backoff = strategy.get("backoff", {})
    duration, factor = float(backoff.get("duration", 0)), float(backoff.get("factor", 1))
    cap = float(backoff["cap"]) if "cap" in backoff else None
    waits = [duration * factor ** (n - 1) for n in range(1, int(strategy["limit"]) + 1)]
    return [min(w, cap) if cap is not None else w for w in waits]


def _retry_strategy(policy: dg.RetryPolicy) -> dict[str, Any]:
    documents = compile_defs(dg.Definitions(assets=[make_asset("flaky", [], retry_policy=policy)]))
    [template] = [t for t in workflow_template(documents)["spec"]["templates"] if t["name"] == "materialize-flaky"]
    strategy: dict[str, Any] = template["retryStrategy"]
    return strategy


def _dagster_range(policy: dg.RetryPolicy, attempt: int) -> tuple[float, float]:
    """The smallest and largest wait Dagster drew for this retry over many draws of its own function."""
    random.seed(attempt)
    draws = [calculate_delay(attempt, policy.backoff, policy.jitter, policy.delay or 0) for _ in range(SAMPLES)]
    return min(draws), max(draws)


@pytest.mark.parametrize("retries", [1, 2, 3])
def test_linear_up_to_three_retries_is_exact_and_silent(retries: int) -> None:
    policy = dg.RetryPolicy(max_retries=retries, delay=7, backoff=dg.Backoff.LINEAR)
    strategy = _retry_strategy(policy)
    dagster = [calculate_delay(n, policy.backoff, None, 7) for n in range(1, retries + 1)]
    assert _argo_waits(strategy) == dagster
    project = project_from_definitions("p", dg.Definitions(assets=[make_asset("flaky", [], retry_policy=policy)]))
    assert project.warnings == ()


def test_linear_beyond_three_retries_is_capped_at_dagsters_last_delay() -> None:
    policy = dg.RetryPolicy(max_retries=5, delay=10, backoff=dg.Backoff.LINEAR)
    waits = _argo_waits(_retry_strategy(policy))
    dagster = [calculate_delay(n, policy.backoff, None, 10) for n in range(1, 6)]
    assert waits[:2] == dagster[:2]
    assert max(waits) == max(dagster)  # never longer than Dagster's longest wait
    assert all(w >= d for w, d in zip(waits, dagster, strict=True))  # and never shorter
    [warning] = project_from_definitions(
        "p", dg.Definitions(assets=[make_asset("flaky", [], retry_policy=policy)])
    ).warnings
    assert warning.startswith("asset flaky: RetryPolicy backoff LINEAR has no Argo equivalent")
    assert "Dagster waits 10, 20, 30, 40, … s" in warning
    assert "Argo will wait 10, 20, 40, 50, … s" in warning


@pytest.mark.parametrize("backoff", [None, dg.Backoff.EXPONENTIAL, dg.Backoff.LINEAR])
@pytest.mark.parametrize("jitter", [dg.Jitter.FULL, dg.Jitter.PLUS_MINUS])
def test_jitter_waits_where_dagsters_draws_fall(backoff: dg.Backoff | None, jitter: dg.Jitter) -> None:
    policy = dg.RetryPolicy(max_retries=3, delay=4, backoff=backoff, jitter=jitter)
    waits = _argo_waits(_retry_strategy(policy))
    # jitter is dropped: Argo waits what the same policy without jitter gets
    assert waits == _argo_waits(_retry_strategy(dg.RetryPolicy(max_retries=3, delay=4, backoff=backoff)))
    for attempt, (wait, stated) in enumerate(zip(waits, dagster_delays(policy), strict=True), start=1):
        low, high = _dagster_range(policy, attempt)
        stated_low, stated_high = (float(x) for x in stated.split("–"))
        if backoff != dg.Backoff.EXPONENTIAL:  # EXPONENTIAL's own documented gap (7d vs 4d) stays
            assert stated_low <= wait <= stated_high, (attempt, wait, stated)
        # the warning's range is Dagster's: every draw inside, the extremes reached within 2% of the width
        assert stated_low - 1e-9 <= low
        assert high <= stated_high + 1e-9
        width = stated_high - max(stated_low, 0)
        assert low - max(stated_low, 0) < 0.02 * width
        assert stated_high - high < 0.02 * width
    [warning] = project_from_definitions(
        "p", dg.Definitions(assets=[make_asset("flaky", [], retry_policy=policy)])
    ).warnings
    assert f"jitter {jitter.name}" in warning
    assert "asset flaky" in warning


def test_jitter_without_delay_retries_at_once_and_says_nothing() -> None:
    policy = dg.RetryPolicy(max_retries=2, delay=0, jitter=dg.Jitter.FULL)
    assert "backoff" not in _retry_strategy(policy)
    assert (
        project_from_definitions("p", dg.Definitions(assets=[make_asset("flaky", [], retry_policy=policy)])).warnings
        == ()
    )


def test_build_prints_one_warning_per_asset(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        "jittery",
        """
        import dagster as dg

        policy = dg.RetryPolicy(max_retries=4, delay=10, backoff=dg.Backoff.LINEAR, jitter=dg.Jitter.PLUS_MINUS)

        @dg.asset(retry_policy=policy)
        def first() -> None: ...

        @dg.asset(deps=[first], retry_policy=policy)
        def second() -> None: ...

        defs = dg.Definitions(assets=[first, second])
        """,
    )
    result = run_compiler("build", "--module", "jittery", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "RetryPolicy" in line]
    assert [w.split(":")[1].strip() for w in warnings] == ["asset first", "asset second"]
    assert all("backoff LINEAR and jitter PLUS_MINUS" in w for w in warnings)
    assert "Dagster waits 0–20, 10–30, 20–40, 30–50 s" in warnings[0]


def _readme_table() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- retry-delays:start -->")[1].split("<!-- retry-delays:end -->")[0]
    rows = [line for line in block.strip().splitlines() if line.startswith("|")][2:]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


POLICIES = {
    "none": {},
    "EXPONENTIAL": {"backoff": dg.Backoff.EXPONENTIAL},
    "LINEAR": {"backoff": dg.Backoff.LINEAR},
    "jitter FULL": {"jitter": dg.Jitter.FULL},
    "jitter PLUS_MINUS": {"jitter": dg.Jitter.PLUS_MINUS},
    "EXPONENTIAL, jitter FULL": {"backoff": dg.Backoff.EXPONENTIAL, "jitter": dg.Jitter.FULL},
    "EXPONENTIAL, jitter PLUS_MINUS": {"backoff": dg.Backoff.EXPONENTIAL, "jitter": dg.Jitter.PLUS_MINUS},
    "LINEAR, jitter FULL": {"backoff": dg.Backoff.LINEAR, "jitter": dg.Jitter.FULL},
    "LINEAR, jitter PLUS_MINUS": {"backoff": dg.Backoff.LINEAR, "jitter": dg.Jitter.PLUS_MINUS},
}


def test_readme_table_matches_dagster_and_the_rendered_backoff() -> None:
    """compiler/README.md's table (delay=10, max_retries=4) recomputed: Dagster's column from calculate_delay's
    draws, Argo's from the backoff this build renders."""
    rows = _readme_table()
    assert [row[0] for row in rows] == list(POLICIES)
    for name, dagster_text, backoff_text, argo_text in rows:
        policy = dg.RetryPolicy(max_retries=4, delay=10, **POLICIES[name])  # type: ignore[arg-type]
        strategy = _retry_strategy(policy)
        rendered = ", ".join(f"{k} {v}" for k, v in strategy["backoff"].items())
        assert backoff_text == rendered, name
        assert argo_text == ", ".join(f"{w:g}" for w in _argo_waits(strategy)), name
        for attempt, stated in enumerate(dagster_text.split(", "), start=1):
            low, high = _dagster_range(policy, attempt)
            bounds = [float(x) for x in re.split("–", stated)]
            assert bounds[0] - 1e-9 <= low, (name, attempt, stated, low)
            assert high <= bounds[-1] + 1e-9, (name, attempt, stated, high)
            if len(bounds) == 1:
                assert low == high == bounds[0]
