"""Rebuilding the pod's job from its pointer without importing Dagster's test utilities.

`job.get_definition()` of a ReconstructableJob goes through Dagster's `def_from_pointer`, which imports
`LazyDefinitions` from `dagster._utils.test.definitions` only to test `isinstance` against it. Importing that
module runs `dagster/_utils/test/__init__.py` first: SQLite storage, alembic, the daemon and the test instance
helpers, ~0.45 CPU-s of every pod (about a fifth of the fused flagship pod's CPU) for code a pod never calls. The
module itself imports only Dagster's core and re-exports `LazyDefinitions` from `dagster.components.definitions`.

So the pod loads that one file under its own name while it rebuilds the job: the same file, the same classes, the
same `isinstance` answer; the package's `__init__` simply has not run. Afterwards the module is dropped from
`sys.modules` again, so anything that later imports `dagster._utils.test` gets it the usual way. The build's
structure-check child does the same with hera's models (compiler/validate/structure_worker.py). Where Dagster's
layout differs (another release), nothing is done and Dagster imports as before.
"""

import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PACKAGE = "dagster._utils.test"
MODULE = f"{PACKAGE}.definitions"


@contextmanager
def without_test_utilities() -> Iterator[None]:
    """While the pod rebuilds its job: `dagster._utils.test.definitions` loaded without its package's `__init__`.

    Afterwards the module is taken out of `sys.modules` again, so the process's imports are as Dagster left them:
    a later `import dagster._utils.test...` loads the package and its submodule the usual way."""
    if MODULE in sys.modules or PACKAGE in sys.modules:
        yield
        return
    package = importlib.util.find_spec(PACKAGE)  # imports dagster._utils (loaded already), not the package itself
    path = Path(next(iter(package.submodule_search_locations or ()), "")) / "definitions.py" if package else None
    spec = importlib.util.spec_from_file_location(MODULE, path) if path and path.is_file() else None
    if spec is None or spec.loader is None:
        yield
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE] = module
    try:
        spec.loader.exec_module(module)
        yield
    finally:
        if sys.modules.get(MODULE) is module and PACKAGE not in sys.modules:
            del sys.modules[MODULE]
