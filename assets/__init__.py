"""The air-quality Dagster code location: `assets.defs` (what `dagster dev` and the compiler load).

`defs` is built on first access, so `import assets.openaq` (the client alone) does not import the whole pipeline.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "defs":
        from assets.definitions import defs

        return defs
    raise AttributeError(f"module 'assets' has no attribute {name!r}")


def __dir__() -> list[str]:
    """Lists `defs`, so Dagster's own discovery (`dagster dev -m assets`, which scans the module's members) and the
    pods' `materialize -m assets` find it without importing the pipeline on `import assets`."""
    return sorted({*globals(), "defs"})
