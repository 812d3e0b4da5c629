"""Build dagster-argo's wheel as `make dist` does, from a copy of dagster-argo/ (the worktree gets no build/)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.compiler.support import REPO

SOURCE = REPO / "dagster-argo"


def build_wheel(destination: Path) -> Path:
    """`python -m build --no-isolation --wheel` (the repository's pinned build and setuptools) into `destination`."""
    source = destination / "source"
    shutil.copytree(SOURCE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "dist"))
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(destination), str(source)],
        cwd=destination,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [wheel] = destination.glob("dagster_argo-*.whl")
    return wheel
