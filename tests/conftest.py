"""Shared fixtures: the real embedded services every test talks to, and the optional cross-check files.

The hooks below report the optional cross-checks a test could not make (`tests/cross_checks.py`): a passed test that
skipped some reads "PASSED (N cross-checks skipped)" under `-v`, and the terminal summary lists each such test with
the reason and adds "N with skipped cross-checks" to the final line, so a run without the files says so.
"""

import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devservices.s3.seaweed import SeaweedS3
from tests import cross_checks
from tests.shared_files import require_shared
from tests.store_ready import wait_until_writable

pytest_plugins = ["devservices.s3.fixture", "devservices.openaq_server.fixture", "devservices.postgres.fixture"]
SUMMARY_KEY = "with skipped cross-checks"


@pytest.fixture
def shared_file() -> Callable[[str], Path]:
    """`shared_file("argo/schema.json")`: the file from the shared folder, or the test is skipped with the reason."""
    return require_shared


@pytest.fixture(scope="session")
def seaweed(seaweed: SeaweedS3) -> SeaweedS3:
    """The plugin's session SeaweedFS, handed over once it takes a write, not just once its port answers."""
    wait_until_writable(seaweed)
    return seaweed


@pytest.fixture(autouse=True)
def stop_signals_as_a_process_starts() -> Iterator[None]:
    """Every test starts, and leaves the session, with SIGINT and SIGTERM as a foreground Python process (and a pod's
    container) starts: SIGINT raising KeyboardInterrupt, SIGTERM's default. Two things would otherwise leak into
    later tests and, an ignored signal being inherited across exec, into every process they start: a session started
    as a background job has SIGINT ignored, and each Dagster run made in this process maps SIGTERM onto SIGINT's
    disposition and leaves it so (dagster/_utils/interrupts.py): after one run, a session with SIGINT ignored starts
    every later step process with SIGTERM ignored too."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def pytest_runtest_logstart(nodeid: str) -> None:
    cross_checks.enter_test(nodeid)


def pytest_runtest_logfinish() -> None:
    cross_checks.leave_test()


def pytest_report_teststatus(report: pytest.TestReport) -> tuple[str, str, tuple[str, dict[str, bool]]] | None:
    """A passed test that skipped cross-checks stays counted as passed, but its verbose word says what it skipped."""
    skipped = cross_checks.skipped_in(report.nodeid)
    if report.when != "call" or not report.passed or not skipped:
        return None
    return "passed", ".", (f"PASSED ({skipped} cross-check{'s' if skipped > 1 else ''} skipped)", {"yellow": True})


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    by_reason = cross_checks.skipped_by_reason()
    if not by_reason:
        return
    terminalreporter.section("cross-checks skipped (the tests' other assertions ran)", yellow=True)
    tests: set[str] = set()
    for reason, counts in sorted(by_reason.items()):
        terminalreporter.line(f"{reason}: {sum(counts.values())} check(s) in {len(counts)} test(s)")
        for nodeid, count in sorted(counts.items()):
            terminalreporter.line(f"SKIPPED [{count}] {nodeid}")
        tests.update(counts)
    # One entry per test, under a key pytest does not know: the final line reads "…, N with skipped cross-checks".
    terminalreporter.stats.setdefault(SUMMARY_KEY, []).extend(sorted(tests))
