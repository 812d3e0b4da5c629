"""The structure check in a forked child that imports hera's Argo models while the parent loads the project.

Importing those models (~0.6 s) and importing the user's code are independent, so `build` overlaps them on a
second core. Any trouble with the child falls back to the same check in process: the result never differs.
"""

import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from typing import Any

from compiler.validate import StructureCheck


def _serve(connection: Connection) -> None:
    from compiler.validate.structure import check_structure

    while (document := connection.recv()) is not None:
        connection.send(check_structure(document))


def _in_process(document: Any) -> list[str]:
    from compiler.validate.structure import check_structure

    return check_structure(document)


@contextmanager
def structure_check_in_child() -> Iterator[StructureCheck]:
    """Start the child now; yield a check that asks it (or, if it is gone, checks in process)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield _in_process
        return
    # pydantic underlies both hera's models (the child) and Dagster (the parent): imported once, before the fork.
    from pydantic import BaseModel  # noqa: F401  (the package alone loads its models lazily)

    context = multiprocessing.get_context("fork")
    parent_end, child_end = context.Pipe()
    child = context.Process(target=_serve, args=(child_end,), daemon=True, name="argo-structure-check")
    child.start()
    child_end.close()

    def check(document: Any) -> list[str]:
        try:
            parent_end.send(document)
            problems: list[str] = parent_end.recv()
            return problems
        except (EOFError, OSError):
            return _in_process(document)

    try:
        yield check
    finally:
        with suppress(OSError):
            parent_end.send(None)
        parent_end.close()
        child.join(timeout=5)
        if child.is_alive():
            child.kill()
            child.join()
