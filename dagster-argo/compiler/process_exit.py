"""End a `python -m compiler ...` process without the interpreter's last full garbage collection.

At exit, CPython's finalization collects every generation over the whole heap: after importing Dagster, pandas,
pyarrow, sqlalchemy and a code location that is hundreds of thousands of objects, about 0.4-0.6 CPU-seconds on
this project's machines, paid by every Argo step pod after its work is done (see benchmarks/README.md). The
process is ending and its memory goes back to the OS whole, so `gc.freeze()` moves every object into the permanent
generation that collections skip. Everything else about exiting stays as Python does it: atexit handlers (logging
shutdown, temporary directories' finalizers), joining non-daemon threads, flushing and closing the standard streams.
"""

import gc
from typing import NoReturn


def end_process(exit_code: int) -> NoReturn:
    """Exit with `exit_code`; only for a process's entry point (`__main__`), never for a caller that goes on."""
    gc.freeze()
    raise SystemExit(exit_code)
