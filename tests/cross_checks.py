"""Optional cross-checks that could not run, counted against the test that wanted them so the run reports them.

A cross-check inside a larger test (a compiled manifest against Argo's JSON schema, say) must not skip that test when
its file is absent from a fresh clone: the test's own assertions still have to run. Such a check calls
`skip_cross_check(reason)` instead of passing silently. The hooks in `tests/conftest.py` then mark the test's verbose
result, and the terminal summary lists every test with skipped cross-checks, the reason, and a count in the final line.
"""

from collections import Counter

_running: list[str] = []  # node id of the test pytest is running, maintained by tests/conftest.py
_skipped: dict[str, Counter[str]] = {}  # reason → node id → cross-checks skipped for that reason
OUTSIDE_A_TEST = "<outside a test>"


def enter_test(nodeid: str) -> None:
    _running[:] = [nodeid]


def leave_test() -> None:
    _running.clear()


def skip_cross_check(reason: str) -> None:
    """Record one cross-check of the running test as skipped, with the reason (which file is missing, what to set)."""
    nodeid = _running[0] if _running else OUTSIDE_A_TEST
    _skipped.setdefault(reason, Counter())[nodeid] += 1


def skipped_in(nodeid: str) -> int:
    """How many cross-checks the test `nodeid` skipped so far."""
    return sum(counts[nodeid] for counts in _skipped.values())


def skipped_by_reason() -> dict[str, Counter[str]]:
    """Reason → node id → count, for the terminal summary."""
    return {reason: Counter(counts) for reason, counts in _skipped.items()}
