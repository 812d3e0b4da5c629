"""Finds the code location as Dagster does, so `build` and `backfill` compile what `dagster dev` / `dg dev` load.

Order, first that answers: the flags (`-m/--module-name`, `-f/--python-file`, `-a`, `-d`); an explicit
`-w/--workspace FILE`; the project's pyproject.toml: `[tool.dg.project]` (`root_module`, `code_location_target_module`,
default `<root_module>.definitions`), then `[tool.dagster]` (`module_name`, `code_location_name`); then
`workspace.yaml` in the current directory. The pyproject sections and workspace files are read by Dagster's own code
(`get_target_from_toml_data`, `location_origins_from_yaml_paths`), imported only here, after `build` has forked.
"""

import argparse
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from compiler.code_location import CodeLocation, add_target_arguments, location_from_flags, relative_to_root
from compiler.errors import UnsupportedInputError

DEFAULT_WORKSPACE = Path("workspace.yaml")
NOT_FOUND = (
    "no code location found: pass -m MODULE or -f FILE, or add [tool.dg.project] root_module (or [tool.dagster] "
    "module_name) to pyproject.toml, or a workspace.yaml"
)


def add_location_arguments(parser: argparse.ArgumentParser) -> None:
    """How `build` and `backfill` find the code location (Dagster's flags) and the `[tool.compiler]` settings."""
    add_target_arguments(parser, required_hint=" (default: found as Dagster does, see compiler/README.md)")
    parser.add_argument(
        "--settings",
        type=Path,
        default=Path("pyproject.toml"),
        help="file with [tool.compiler] (default: pyproject.toml); its [tool.dg.project] or [tool.dagster] names "
        "the code location when no flag does",
    )
    parser.add_argument(
        "-w", "--workspace", type=Path, default=None, help="a Dagster workspace.yaml naming the code location"
    )
    parser.add_argument(
        "-l",
        "--location",
        default=None,
        help="with several code locations in the workspace: the name of the one to compile",
    )


def chosen_code_location(arguments: argparse.Namespace) -> CodeLocation:
    """The location the flags, the pyproject or the workspace name; paths relative to the current directory."""
    root = Path.cwd()
    flagged = location_from_flags(arguments, root)
    if flagged is not None:
        return flagged
    if arguments.workspace is not None:
        return _from_workspace(arguments.workspace, root, arguments.location)
    from_pyproject = _from_pyproject(arguments.settings)
    if from_pyproject is not None:
        return from_pyproject
    if DEFAULT_WORKSPACE.is_file():
        return _from_workspace(DEFAULT_WORKSPACE, root, arguments.location)
    raise UnsupportedInputError(NOT_FOUND)


def _from_pyproject(pyproject: Path) -> CodeLocation | None:
    """`[tool.dg.project]`, then `[tool.dagster]`, each read by Dagster's own `get_target_from_toml_data`."""
    if not pyproject.is_file():
        return None
    with pyproject.open("rb") as handle:
        try:
            document = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise UnsupportedInputError(f"{pyproject} is not valid TOML: {error}") from None
    tool = document.get("tool", {}) if isinstance(document.get("tool"), dict) else {}
    from dagster._core.workspace.load_target import AutoloadDefsModuleTarget, ModuleTarget, get_target_from_toml_data

    sections = (("[tool.dg.project]", {"dg": tool.get("dg")}), ("[tool.dagster]", {"dagster": tool.get("dagster")}))
    for section, only in sections:
        if not any(only.values()):
            continue
        try:
            target = get_target_from_toml_data({"tool": only})
        except (KeyError, ValueError, AssertionError) as error:
            raise UnsupportedInputError(f"{pyproject} {section}: Dagster cannot read it: {error!r}") from None
        if target is None:
            continue
        if isinstance(target, AutoloadDefsModuleTarget):
            raise UnsupportedInputError(
                f"{pyproject} {section}: autoload_defs = true is not supported yet; add a definitions module with "
                "@dg.definitions returning load_from_defs_folder(...) and name it in code_location_target_module"
            )
        targets = target if isinstance(target, list) else [target]
        modules = [t for t in targets if isinstance(t, ModuleTarget)]
        if len(modules) != 1:
            names = ", ".join(t.module_name for t in modules)
            raise UnsupportedInputError(
                f"{pyproject} {section} names {len(modules)} modules ({names}): pass -m MODULE to pick one"
            )
        module = modules[0]
        return CodeLocation(module=module.module_name, name=module.location_name or module.module_name)
    return None


def _from_workspace(workspace: Path, root: Path, wanted: str | None) -> CodeLocation:
    """One location of a workspace.yaml; with several, `-l/--location` picks one, as Dagster's CLI asks."""
    if not workspace.is_file():
        raise UnsupportedInputError(f"workspace file {workspace} not found: pass -w FILE or -m MODULE")
    from dagster._core.errors import DagsterError
    from dagster._core.remote_origin import ManagedGrpcPythonEnvCodeLocationOrigin
    from dagster._core.workspace.load import location_origins_from_yaml_paths

    try:
        origins = location_origins_from_yaml_paths([str(workspace)])
    except (DagsterError, KeyError, TypeError, ValueError) as error:
        raise UnsupportedInputError(f"{workspace}: Dagster cannot read it: {' '.join(str(error).split())}") from None
    by_name = {origin.location_name: origin for origin in origins}
    if wanted is not None:
        if wanted not in by_name:
            raise UnsupportedInputError(f"{workspace} has no code location {wanted!r}; it has {_names(by_name)}")
        origin = by_name[wanted]
    elif len(by_name) == 1:
        [origin] = by_name.values()
    else:
        raise UnsupportedInputError(
            f"{workspace} has {len(by_name)} code locations ({_names(by_name)}): pass -l/--location NAME to compile "
            "one; compile each with its own --settings and --out"
        )
    if not isinstance(origin, ManagedGrpcPythonEnvCodeLocationOrigin):
        raise UnsupportedInputError(
            f"{workspace}: code location {origin.location_name!r} is a gRPC server; the compiler imports the code "
            "itself: name its module with python_module, or pass -m MODULE"
        )
    return _location(origin.location_name, origin.loadable_target_origin, root, workspace)


def _location(name: str, target: Any, root: Path, workspace: Path) -> CodeLocation:
    """A LoadableTargetOrigin of Dagster's, with its paths made relative to the project root for the pods."""
    if target.autoload_defs_module_name:
        raise UnsupportedInputError(
            f"{workspace}: code location {name!r} uses autoload_defs_module, not supported yet; name a module whose "
            "@dg.definitions function returns load_from_defs_folder(...) with python_module"
        )
    where = f"{workspace} location {name!r} working_directory"
    directory = relative_to_root(target.working_directory or ".", root, where)
    file = relative_to_root(target.python_file, root, f"{workspace} python_file") if target.python_file else None
    return CodeLocation(
        module=target.module_name or target.package_name,
        python_file=file,
        attribute=target.attribute,
        working_directory=directory,
        name=name,
    )


def _names(by_name: Mapping[str, object]) -> str:
    return ", ".join(sorted(by_name))
