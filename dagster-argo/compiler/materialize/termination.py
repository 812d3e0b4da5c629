"""A pod's SIGTERM ends `materialize` promptly, with one exit code and one last line, whenever it arrives.

Dagster maps SIGTERM to its SIGINT handling and unwinds the step (the OpenAQ client then cuts the answers still
arriving). Dagster swaps the Python-level handlers during a run, so the guarantee cannot live in a handler: CPython
writes every handled signal's number to the wakeup fd whatever handler is installed, and a watchdog thread reading
it ends the process `grace_s` after SIGTERM/SIGINT if the unwinding has not finished by then. Nothing partial can
be published by that exit: every object is written in one PUT.

Two phases. Until the Dagster run starts (interpreter start-up once armed, imports, loading the code location,
resolving the partition) nothing needs unwinding: the handler ends the process at once, so no KeyboardInterrupt is
ever raised inside an import or a library callback ("Exception ignored in ..."). Once the run starts
(`allow_unwinding`) a stop signal raises KeyboardInterrupt and Dagster unwinds the step. Either way, and whatever the
moment, a stopped process ends the same way: exit code 128 + the signal (143 for SIGTERM, as Kubernetes reports a
container killed by it) and the last line `materialize: FAILED asset=... partition=...: stopped by a signal
(SIGTERM) ...`, written once by whichever of the main thread and the watchdog gets there first, straight to the file
descriptor and followed by `os._exit`.
Python's buffered streams are never touched by the watchdog and the interpreter's shutdown never runs after a stop
signal: a daemon thread writing to `sys.stdout` while the interpreter finalizes aborts it ("Fatal Python error:
_enter_buffered_busy", exit 134), and a KeyboardInterrupt raised inside finalization gave 1 or 130 by timing.
"""

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import NoReturn

from compiler.user_text import shortened

GRACE_S = 10.0
# How long the main thread waits for the watchdog to name the signal behind a KeyboardInterrupt: the byte is already
# in the wakeup pipe when Python raises it, the watchdog only needs to be scheduled.
_NAMING_WAIT_S = 1.0
_STOP_SIGNALS = {int(signal.SIGTERM), int(signal.SIGINT)}


class _State:
    """Per process: the signal received (once), what the step is (for the last line), and who writes that line."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.named = threading.Event()
        self.ending = threading.Lock()
        self.output = threading.Lock()  # held for good by whoever writes the last line
        self.what = "asset=- partition=-"
        self.armed = False
        self.unwinding = False  # once the Dagster run starts, a stop signal unwinds it (KeyboardInterrupt)


_STATE = _State()


def exit_promptly_on_sigterm(grace_s: float = GRACE_S) -> bool:
    """Arm the watchdog (main thread only; False when it cannot be armed). Idempotent per process: arm it as early
    as possible (`compiler/__main__.py` does, before any import that could take time)."""
    if _STATE.armed:
        return True
    if threading.current_thread() is not threading.main_thread():
        return False
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
    _STATE.armed = True
    # last, so the watchdog is ready: a stop signal ends the start-up at once, and unwinds the run once it started.
    # An inherited SIG_IGN counts as no handler: a shell starts a background job with SIGINT ignored, and Dagster maps
    # SIGTERM onto SIGINT's disposition whenever it leaves one of its interrupt blocks (dagster/_utils/interrupts.py),
    # so an ignored SIGINT would turn into an ignored SIGTERM from the run's first block on.
    for number, default in ((signal.SIGTERM, signal.SIG_DFL), (signal.SIGINT, signal.default_int_handler)):
        if signal.getsignal(number) in (default, signal.SIG_IGN, None):
            signal.signal(number, _on_stop)
    return True


def allow_unwinding() -> None:
    """The Dagster run starts: from now a stop signal raises KeyboardInterrupt, which Dagster turns into unwinding
    the step (the OpenAQ client cuts its answers); before it, nothing needs unwinding and the process ends at once,
    never with a KeyboardInterrupt raised inside an import or a library's callback."""
    _STATE.unwinding = True


def _on_stop(number: int, _frame: object) -> None:
    if _STATE.received is None:
        _STATE.received = number
        _STATE.named.set()
    if _STATE.ending.locked():
        return  # already writing the last line
    if _STATE.unwinding:
        raise KeyboardInterrupt
    _end(f"stopped by a signal ({signal.Signals(number).name}); another attempt may succeed")


def describe_step(asset: str, partition: str | None) -> None:
    """What the last line of a stopped process names; updated as the step learns its asset and partition."""
    _STATE.what = step_words(asset, partition)


def step_words(asset: str, partition: str | None) -> str:
    """`asset=... partition=...` as every line naming the step shows them: a value taken from the command line
    (before it is checked) may be any length, so each is shortened (compiler/user_text.py)."""
    return f"asset={shortened(asset)} partition={shortened(partition or '-')}"


def describe_from_argv(argv: list[str]) -> None:
    """Before argparse has run: the same asset and partition the command will name (`--asset X`, `--asset=X`,
    repeatable and joined by ','; `--partition P`), so a signal during the imports ends with the same line."""
    assets: list[str] = []
    partition = None
    for index, word in enumerate(argv):
        for option in ("--asset", "--partition"):
            value = None
            if word == option and index + 1 < len(argv):
                value = argv[index + 1]
            elif word.startswith(option + "="):
                value = word.split("=", 1)[1]
            if value is not None and option == "--asset":
                assets.append(value)
            elif value is not None:
                partition = value
    describe_step(",".join(assets) or "-", partition)


def end_if_stopped() -> None:
    """If a stop signal was received, end now with the one last line and 128 + the signal; else return.

    Called before any summary line and after anything escapes the command, so every path of a stopped process
    ends here (or in the watchdog, if unwinding takes longer than the grace period)."""
    if _STATE.received is None:
        return
    _end(f"stopped by a signal ({signal.Signals(_STATE.received).name}); another attempt may succeed")


def stopped_by_signal(wait: bool = True) -> bool:
    """Whether a stop signal arrived; after a KeyboardInterrupt, give the watchdog a moment to name it."""
    if _STATE.received is None and wait and _STATE.armed:
        _STATE.named.wait(_NAMING_WAIT_S)
    return _STATE.received is not None


def run_terminable(main: Callable[[], int]) -> int:
    """`main()`, ending through `end_if_stopped` when a stop signal interrupted it (or arrived while it ran).

    Once `main` has returned, its result stands: the stop signals are ignored for the few milliseconds left, so a
    signal cannot interrupt the interpreter's shutdown (which ended with 1 or 130 by timing)."""
    try:
        exit_promptly_on_sigterm()  # inside the try: a signal from the moment it is armed ends through here
        code = main()
        if threading.current_thread() is threading.main_thread():
            for number in _STOP_SIGNALS:
                signal.signal(number, signal.SIG_IGN)
    except KeyboardInterrupt:
        if stopped_by_signal():
            end_if_stopped()
        raise
    except BaseException:
        if stopped_by_signal(wait=False):
            end_if_stopped()
        raise
    end_if_stopped()
    return code


def _watch(read_fd: int, grace_s: float) -> None:
    while True:
        data = os.read(read_fd, 64)
        stops = [number for number in data if number in _STOP_SIGNALS]
        if stops:
            break
    number = stops[0]
    name = signal.Signals(number).name
    with _STATE.output:  # never after the last line: whoever writes that holds this lock until the process ends
        _write(f"materialize: {name} received; stopping (at most {grace_s:g} s)\n")
    if _STATE.received is None:
        _STATE.received = number
    _STATE.named.set()
    threading.Event().wait(grace_s)
    _end(f"stopped by a signal ({name}); the step did not unwind within {grace_s:g} s")


def _end(cause: str) -> NoReturn:
    """Write the last line once and leave without the interpreter's shutdown; a second caller blocks until then."""
    _STATE.ending.acquire()  # never released: the first caller exits the process
    assert _STATE.received is not None
    if threading.current_thread() is threading.main_thread():
        for number in _STOP_SIGNALS:  # a second signal must not interrupt the last line
            signal.signal(number, signal.SIG_IGN)
        for stream in (sys.stderr, sys.stdout):
            # a closed or broken stream, or one this thread was writing to when the signal came: the line goes out
            with contextlib.suppress(Exception):
                stream.flush()
    _STATE.output.acquire()  # never released
    _write(f"materialize: FAILED {_STATE.what}: {cause}\n")
    os._exit(128 + _STATE.received)


def _write(text: str) -> None:
    """Straight to fd 1: never through `sys.stdout`'s buffer, whose lock another thread may hold."""
    data = text.encode("utf-8", "replace")
    while data:
        try:
            written = os.write(1, data)
        except OSError:
            return
        data = data[written:]


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
