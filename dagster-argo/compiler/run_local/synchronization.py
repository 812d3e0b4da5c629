"""Argo's workflow-level `synchronization.mutexes` and template-level semaphores, across run-local processes on
this machine.

On a cluster the controller lets one workflow at a time hold a mutex (per namespace) and queues the others as
Pending; here each mutex is an exclusive `flock` on a file under the temp directory, so two `run-local` processes
of the same pipeline wait for each other exactly as two Workflows would. Several mutexes are taken in name order.
`RUN_LOCAL_MUTEX_DIR` names another directory: runs that should not see each other's mutexes use different ones.
"""

import fcntl
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO
from urllib.parse import quote

LOCK_DIRECTORY = "argo-run-local-mutexes"
LOCK_DIRECTORY_ENV = "RUN_LOCAL_MUTEX_DIR"


@contextmanager
def held_mutexes(names: Sequence[str], namespace: str, say: Callable[[str], None]) -> Iterator[None]:
    directory = Path(os.environ.get(LOCK_DIRECTORY_ENV) or Path(tempfile.gettempdir()) / LOCK_DIRECTORY)
    directory.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        for name in sorted(set(names)):
            handle = stack.enter_context((directory / f"{quote(namespace, safe='')}--{quote(name, safe='')}").open("a"))
            _lock(handle, f"{namespace}/{name}", say)
            stack.callback(fcntl.flock, handle, fcntl.LOCK_UN)
        yield


def _lock(handle: IO[str], mutex: str, say: Callable[[str], None]) -> None:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        say(f"⏸ waiting for mutex {mutex}: another run holds it (synchronization.mutexes)")
        fcntl.flock(handle, fcntl.LOCK_EX)
    say(f"🔒 holding mutex {mutex}")


@contextmanager
def held_semaphores(
    semaphores: Sequence[tuple[str, int]], namespace: str, say: Callable[[str], None], poll_s: float = 0.1
) -> Iterator[None]:
    """Template-level `synchronization.semaphores` (a ConfigMap key holding the limit): one of `limit` slot files
    per semaphore, locked exclusively while the task runs, so at most `limit` tasks hold it across every run-local
    process of this machine, as the controller allows across every workflow of the namespace."""
    directory = Path(os.environ.get(LOCK_DIRECTORY_ENV) or Path(tempfile.gettempdir()) / LOCK_DIRECTORY)
    directory.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        for name, limit in sorted(set(semaphores)):
            stem = f"{quote(namespace, safe='')}--semaphore--{quote(name, safe='')}"
            stack.enter_context(_slot(directory, stem, limit, f"{namespace}/{name}", say, poll_s))
        yield


@contextmanager
def _slot(
    directory: Path, stem: str, limit: int, semaphore: str, say: Callable[[str], None], poll_s: float
) -> Iterator[None]:
    waiting = False
    while True:
        for index in range(limit):
            handle = (directory / f"{stem}.{index}").open("a")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
            return
        if not waiting:
            say(f"⏸ waiting for semaphore {semaphore} (limit {limit}): every slot is held")
            waiting = True
        time.sleep(poll_s)
