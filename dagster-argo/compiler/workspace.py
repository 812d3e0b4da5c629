"""Finds the module `dagster dev` loads, so `build` compiles the same code location by default."""

import argparse
from dataclasses import dataclass
from pathlib import Path

import yaml

from compiler.errors import UnsupportedInputError


@dataclass(frozen=True)
class CodeLocation:
    module: str
    working_directory: Path


def default_code_location(workspace_file: Path) -> CodeLocation:
    """Reads the single `python_module` entry of workspace.yaml; anything else needs `--module`."""
    if not workspace_file.is_file():
        raise UnsupportedInputError(f"{workspace_file} not found: pass --module MODULE")
    document = yaml.safe_load(workspace_file.read_text(encoding="utf-8")) or {}
    entries = document.get("load_from") or []
    modules = [entry["python_module"] for entry in entries if isinstance(entry, dict) and "python_module" in entry]
    if len(modules) != 1:
        raise UnsupportedInputError(
            f"{workspace_file}: expected exactly one load_from python_module entry, found {len(modules)}; "
            "pass --module MODULE"
        )
    entry = modules[0]
    name = entry if isinstance(entry, str) else entry.get("module_name")
    if not isinstance(name, str) or not name:
        raise UnsupportedInputError(f"{workspace_file}: python_module has no module_name; pass --module MODULE")
    directory = "." if isinstance(entry, str) else str(entry.get("working_directory", "."))
    return CodeLocation(module=name, working_directory=(workspace_file.parent / directory).resolve())


def add_location_arguments(parser: argparse.ArgumentParser) -> None:
    """`--module`, `--settings`, `--workspace`: how `build` and `backfill` find the code location and its settings."""
    parser.add_argument("--module", help="Python module holding the Definitions (default: from workspace.yaml)")
    parser.add_argument(
        "--settings",
        type=Path,
        default=Path("pyproject.toml"),
        help="file with [tool.compiler] (default: pyproject.toml)",
    )
    parser.add_argument(
        "--workspace", type=Path, default=Path("workspace.yaml"), help="workspace file naming the default module"
    )


def chosen_code_location(arguments: argparse.Namespace) -> CodeLocation:
    """`--module` (found from the current directory), else the one module workspace.yaml loads."""
    if arguments.module:
        return CodeLocation(module=arguments.module, working_directory=Path.cwd())
    return default_code_location(arguments.workspace)
