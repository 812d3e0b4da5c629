"""Real processes for fault tests: descendants of a pid (from /proc), waiting for a condition, and the autouse
fixture that fails any test of the fault suite leaving a process behind."""

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


def children_of(pid: int) -> set[int]:
    """Every live descendant of `pid` (Linux /proc), so a test can assert that none survives."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":  # a zombie has ended; only its exit status is left
            parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout_s} s")
        time.sleep(0.05)


def no_process_left(pids: set[int], timeout_s: float = 5.0) -> list[int]:
    """The pids still alive after `timeout_s` (empty: all ended)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.05)
    return sorted(pid for pid in pids if alive(pid))


def kill_all(pids: set[int]) -> None:
    """Cleanup after a failed assertion: never leave a process behind."""
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, 9)


def _is_session_service(pid: int) -> bool:
    """SeaweedFS started by the session-scoped `seaweed` fixture lives on until the session ends, by design."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return any(part.endswith(b"weed") for part in command[:1])


@pytest.fixture(autouse=True)
def no_process_left_behind() -> Iterator[None]:
    """Every test of the fault suite ends with no process of its own still running (the session's SeaweedFS
    aside): a test that starts a step, a replay or a server must stop it, whatever the outcome."""
    before = children_of(os.getpid())
    yield
    started = {pid for pid in children_of(os.getpid()) - before if not _is_session_service(pid)}
    left = no_process_left(started, timeout_s=10.0)
    kill_all(set(left))
    assert not left, f"processes left behind: {[_describe(pid) for pid in left]}"


def _describe(pid: int) -> str:
    try:
        return f"{pid}: " + Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return str(pid)
