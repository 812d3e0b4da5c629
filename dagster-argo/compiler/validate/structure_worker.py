"""The structure check in a forked child that imports hera's Argo models while the parent loads the project.

Importing those models (~0.6 s) and importing the user's code are independent, so `build` overlaps them on a
second core. Any trouble with the child falls back to the same check in process: the result never differs.
The child imports only hera's models (`_models_only`), not the rest of `hera.workflows` (~0.2 CPU-s less).
"""

import importlib.util
import multiprocessing
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from typing import Any

from compiler.validate import StructureCheck


def _models_only() -> None:
    """Let the child import `hera.workflows.models` without running `hera/workflows/__init__.py`.

    That `__init__` imports all of hera's workflow-building and API-client classes (its services, async clients,
    decorators) before the package's submodules can load; the structure check uses only the generated models, which
    import nothing but each other and `hera.shared`. So the child registers the package itself, its `__path__` and
    spec set but its body not run, and the models load from the same files as in any other process: the same classes,
    the same check. Only a fresh child does this (never a process where hera is already imported), and only for
    itself: the parent and `validate` import hera as usual.
    """
    if "hera.workflows" in sys.modules:
        return
    spec = importlib.util.find_spec("hera.workflows")
    if spec is None or spec.submodule_search_locations is None:
        return  # not a package here: the normal import will say what is wrong
    package = importlib.util.module_from_spec(spec)
    sys.modules["hera.workflows"] = package
    sys.modules["hera"].workflows = package  # type: ignore[attr-defined]  # as the import system links a submodule


def _serve(connection: Connection) -> None:
    _models_only()
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
