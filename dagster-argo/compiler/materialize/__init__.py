"""`materialize`: the step each Argo pod runs, one asset in one process with Dagster retries off.

The command's names are loaded on first use (PEP 562), so `compiler/__main__.py` can import `termination` and arm
the SIGTERM watchdog before anything else of the command is imported.
"""

from typing import Any

__all__ = ["add_arguments", "main", "register", "run"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from compiler.materialize import command

        return getattr(command, name)
    raise AttributeError(f"module 'compiler.materialize' has no attribute {name!r}")
