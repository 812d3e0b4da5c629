"""One Dagster code location as Dagster's CLI names it, and the arguments that name it again inside a pod.

`build` finds the location (compiler/workspace.py) and writes `location.arguments()` into every step and gate
template, so `materialize` in the pod loads exactly the location `build` compiled. Paths are relative to the project
root: the directory `build` runs in, which is the image's WORKDIR (README: "Compile your own Dagster project"). No
Dagster import here: the CLI imports this module before `build` forks its structure-check child.
"""

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

from compiler.errors import UnsupportedInputError


@dataclass(frozen=True)
class CodeLocation:
    """A module or a Python file, optionally the attribute holding the definitions, and the directory imports
    resolve from (Dagster's `-m`/`-f`, `-a`, `-d`). `python_file` and `working_directory` are relative paths."""

    module: str | None = None
    python_file: str | None = None
    attribute: str | None = None
    working_directory: str = "."
    name: str = ""

    def arguments(self) -> tuple[str, ...]:
        """The pod's `materialize`/`schedule-gate` arguments naming this location (Dagster's own flag names)."""
        target = ("--module", self.module) if self.module else ("--python-file", str(self.python_file))
        attribute = ("--attribute", self.attribute) if self.attribute else ()
        directory = ("--working-directory", self.working_directory) if self.working_directory != "." else ()
        return (*target, *attribute, *directory)

    def describe(self, quoted: bool = True) -> str:
        """`module 'a.definitions'`, `file 'defs.py'`, with `attribute 'defs'` when one is named: for messages
        (`quoted=False`: `module a.definitions`, for the manifests' description)."""
        show = repr if quoted else str
        what = f"module {show(self.module)}" if self.module else f"file {show(self.python_file)}"
        return f"{what} attribute {show(self.attribute)}" if self.attribute else what


def add_target_arguments(parser: argparse.ArgumentParser, *, required_hint: str = "") -> None:
    """Dagster's flags for one code location: `-m/--module-name` (alias `--module`), `-f/--python-file`,
    `-a/--attribute`, `-d/--working-directory`, as `dagster dev` takes them."""
    parser.add_argument(
        "-m",
        "--module",
        "--module-name",
        dest="module",
        default=None,
        help=f"Python module holding the Dagster definitions{required_hint}",
    )
    parser.add_argument(
        "-f", "--python-file", dest="python_file", default=None, help="Python file holding the definitions instead"
    )
    parser.add_argument(
        "-a",
        "--attribute",
        default=None,
        help="the attribute of the module or file that holds the Definitions (or @dg.definitions function); "
        "default: the one Dagster finds",
    )
    parser.add_argument(
        "-d",
        "--working-directory",
        dest="working_directory",
        default=None,
        help="directory the location's imports resolve from (default: the current directory)",
    )


def location_from_flags(arguments: argparse.Namespace, root: Path) -> CodeLocation | None:
    """The location named by `-m`/`-f` (with `-a`, `-d`), or None when neither is given."""
    module, python_file = arguments.module, arguments.python_file
    if module and python_file:
        raise UnsupportedInputError("pass either -m/--module-name or -f/--python-file, not both")
    if not module and not python_file:
        if arguments.attribute or arguments.working_directory:
            raise UnsupportedInputError("-a/--attribute and -d/--working-directory need -m MODULE or -f FILE")
        return None
    directory = relative_to_root(arguments.working_directory or ".", root, "--working-directory")
    file = relative_to_root(python_file, root, "--python-file") if python_file else None
    return CodeLocation(
        module=module,
        python_file=file,
        attribute=arguments.attribute,
        working_directory=directory,
        name=module or Path(str(file)).stem,
    )


def relative_to_root(path: str, root: Path, what: str) -> str:
    """`path` as the pods will see it: relative to the project root, which is their working directory."""
    absolute = (root / path).resolve()
    relative = os.path.relpath(absolute, root.resolve())
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        raise UnsupportedInputError(
            f"{what} {path} is outside the project root {root.resolve().name}/: the pods run from the project root "
            "(the image's WORKDIR); run build from a directory that contains it"
        )
    return Path(relative).as_posix()
