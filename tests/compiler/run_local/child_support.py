"""The compiler with every chunk a child Workflow: CHILD_WORKFLOWS_ABOVE (compiler/builder/child_workflows.py) is a
module constant, not a user setting, so the scaled-down replays lower it to 0 in the compiler's own process."""

import subprocess
import sys
from pathlib import Path

from tests.compiler.run_local.replay_support import REPO, SETTINGS, shapes_env

BUILD = (
    "import sys; import compiler.builder.child_workflows as c; c.CHILD_WORKFLOWS_ABOVE = 0; "
    "from compiler.cli import main; sys.exit(main(sys.argv[1:]))"
)


def compiler_with_children(arguments: list[str], scratch: Path) -> subprocess.CompletedProcess[str]:
    """`python -m compiler ARGUMENTS` with the threshold at 0; `scratch` takes the shapes' objects, if any."""
    return subprocess.run(
        [sys.executable, "-c", BUILD, *arguments],
        cwd=REPO,
        env=shapes_env(scratch),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def build_with_children(root: Path, module: str) -> subprocess.CompletedProcess[str]:
    """`build` of `module` into `root/out` with the replay SETTINGS written to `root/pyproject.toml`."""
    (root / "pyproject.toml").write_text(SETTINGS, encoding="utf-8")
    arguments = ["build", "--module", module, "--settings", str(root / "pyproject.toml"), "--out", str(root / "out")]
    return compiler_with_children(arguments, root / "unused")
