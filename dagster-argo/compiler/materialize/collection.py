"""A pod's start-up without CPython's cyclic garbage collector, which would rescan what the start-up builds.

Importing Dagster, the code location and Dagster's storages, and building the one-asset job and the instance, create
about a million objects that all live until the pod ends. While they are created, every 700 net allocations trigger
a young collection and every tenth of those an older one, each scanning the objects created so far: about a fifth of
a pod's start-up CPU on this project's machines (the raw pod: 1.9-2.3 CPU-s with the collector, 1.5-1.7 without;
benchmarks/README.md). Start-up makes almost no cyclic garbage, so the pause frees nothing later that it would have
freed sooner. When Dagster starts executing, the start-up's objects move to the permanent generation (`gc.freeze()`)
and the collector resumes, so the asset's own work is collected as usual and its collections scan only what the
work allocates.

A pod's entry point (`compiler/__main__.py`, `compiler/materialize/__main__.py`) starts the pause before the
command's own imports (`pause_for_start_up`): importing Dagster, which the CLI does while it builds the command's
parser, is part of the start-up too (about 0.1 CPU-s with the collector on). The command's block then adopts that
pause, so every path that reaches Dagster ends it the same way; a path that never reaches the block (a usage error)
ends the process anyway.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_paused = False  # whether this module disabled the collector (a caller may have disabled it for its own reasons)


def pause_for_start_up() -> None:
    """Pause the collector now, for a pod process's imports; the command's `start_up_without_collection` block
    adopts the pause and ends it. Only for a process's entry point: nothing else would end it."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


@contextmanager
def start_up_without_collection() -> Iterator[None]:
    """Pause the collector from here (or go on with the entry point's pause) until `start_up_done()`; whatever
    happens, the collector is back on and the frozen objects collectable again when the block ends (for a caller in
    the same process: a pod freezes everything again as it exits, compiler/process_exit.py)."""
    pause_for_start_up()
    try:
        yield
    finally:
        start_up_done()
        gc.unfreeze()


def start_up_done() -> None:
    """End the pause: freeze what the start-up built, resume collecting. Idempotent."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
