"""A pod's SIGTERM must end `materialize` promptly, whatever the step is blocked in.

Dagster maps SIGTERM to its SIGINT handling and unwinds the step (the OpenAQ client then cuts the answers still
arriving). Dagster swaps the Python-level handlers during a run, so the guarantee cannot live in a handler: CPython
writes every handled signal's number to the wakeup fd whatever handler is installed, and a watchdog thread reading
it ends the process `grace_s` after SIGTERM/SIGINT if the unwinding has not finished by then. Nothing partial can
be published by that exit: every object is written in one PUT.
"""

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator

GRACE_S = 10.0
_STOP_SIGNALS = {int(signal.SIGTERM), int(signal.SIGINT)}


def exit_promptly_on_sigterm(grace_s: float = GRACE_S) -> bool:
    """Arm the watchdog (main thread only; False when it cannot be armed). Idempotent per process."""
    if threading.current_thread() is not threading.main_thread():
        return False
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # unwind like Ctrl-C; the default would kill
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    try:
        previous = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    except ValueError:
        os.close(read_fd)
        os.close(write_fd)
        return False
    if previous != -1:  # someone else's wakeup fd: keep theirs, ours would steal their bytes
        signal.set_wakeup_fd(previous)
        os.close(read_fd)
        os.close(write_fd)
        return False
    threading.Thread(target=_watch, args=(read_fd, grace_s), name="sigterm-watchdog", daemon=True).start()
    return True


def _watch(read_fd: int, grace_s: float) -> None:
    while True:
        data = os.read(read_fd, 64)
        stops = [number for number in data if number in _STOP_SIGNALS]
        if stops:
            break
    number = stops[0]
    name = signal.Signals(number).name
    print(f"materialize: {name} received; stopping (at most {grace_s:g} s)", flush=True)
    threading.Event().wait(grace_s)
    print(f"materialize: FAILED: stopped by {name}; the step did not unwind within {grace_s:g} s", flush=True)
    sys.stderr.flush()
    os._exit(128 + number)


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt inside the block (the schedule-gate's short evaluation, which needs no
    watchdog), so the caller can exit with exit_codes.INTERRUPTED; the previous handler is restored after."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) not in (
        signal.SIG_DFL,
        None,
    ):
        yield
        return
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
