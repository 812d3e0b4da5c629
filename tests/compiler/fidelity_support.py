"""Compile a fidelity test project with the real CLI and replay it with run-local, or run it in Dagster in process."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = "tests.compiler.projects.fidelity"
SETTINGS = """
[tool.compiler]
name = "fidelity"
image = "registry.example/fidelity"
namespace = "argo"
service_account = "fidelity"
config_map = "fidelity-config"
{extra}

[tool.compiler.env]
FIDELITY_RECORD_DIR = "{record}"
"""


def build(tmp_path: Path, project: str, extra: str = "") -> subprocess.CompletedProcess[str]:
    """`python -m compiler build` of tests/compiler/projects/fidelity/<project>.py into tmp_path/out."""
    settings = tmp_path / "pyproject.toml"
    settings.write_text(SETTINGS.format(extra=extra, record=tmp_path / "argo-record"), encoding="utf-8")
    return subprocess.run(
        [
            *(sys.executable, "-m", "compiler", "build", "--module", f"{PACKAGE}.{project}"),
            *("--settings", str(settings), "--out", str(tmp_path / "out")),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def run_local(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Replays the WorkflowTemplate `build` wrote; each task imports the project from the repository."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "compiler",
            "run-local",
            str(tmp_path / "out" / "fidelity.workflowtemplate.yaml"),
            "--backoff-scale",
            "0",  # failures here are about outcomes: no retry backoff wait
            *args,
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
