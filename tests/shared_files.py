"""Optional cross-check files from outside the repository: Argo's JSON schema and examples, OpenAQ's API examples.

A fresh clone has none of them, so no test may need them to pass. Tests that cross-check against them find the folder
through one place: `$SHARED_DIR` when set, else `shared/` beside the repository (where CI lays it). When a file is
absent the test that needs it is skipped with the path and the variable to set, and nothing else is lost.
"""

import os
from pathlib import Path

import pytest

ENV = "SHARED_DIR"
REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """The folder holding `argo/` and `openaq/`: `$SHARED_DIR`, else the repository's sibling `shared/`."""
    configured = os.environ.get(ENV, "")
    return Path(configured) if configured else REPO.parent / "shared"


def find_shared(relative: str) -> Path | None:
    """`relative` under the shared folder, or None when it is not there."""
    path = shared_dir() / relative
    return path if path.exists() else None


def skip_reason(relative: str) -> str:
    return (
        f"cross-check skipped: {relative} not found under {shared_dir()} (set {ENV} to the folder with argo/, openaq/)"
    )


def require_shared(relative: str) -> Path:
    """`relative` under the shared folder; skips the calling test with the reason when it is absent."""
    path = find_shared(relative)
    if path is None:
        pytest.skip(skip_reason(relative))
    return path
