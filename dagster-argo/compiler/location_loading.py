"""Loads a code location's `Definitions` with Dagster's own loading code, as `dagster dev -m/-f [-a]` does.

`dagster._grpc.utils.get_loadable_targets` imports the module or file and finds the target: the named attribute, or
(without `-a`) a `@dg.definitions` function, else the one `Definitions` object, else a repository, job or the
module's assets (a lone job or graph becomes Definitions(jobs=[it]), as Dagster wraps it in a repository).
A `@dg.definitions` function is called as Dagster calls it (`LazyDefinitions()`), so
`load_from_defs_folder` and `Definitions.merge` inside it work unchanged. Cached per location: a pod asks twice (the
command, then Dagster's job reconstruction) and a `-f` file must not be executed twice.

Without `-a`, the module is imported by Dagster's own `load_python_module`/`load_python_file` (what
`get_loadable_targets` calls) and its targets are found by `discovered_targets`: Dagster's discovery, whose first
import (`dagster._utils.test`, for a re-export of `LazyDefinitions`) pulls in its SQLite storage, alembic and the
daemon, ~0.5 CPU-s that neither `build` nor a pod otherwise needs.
"""

import functools
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import dagster as dg

from compiler.code_location import CodeLocation
from compiler.errors import UnsupportedInputError

if TYPE_CHECKING:
    from dagster._core.workspace.autodiscovery import LoadableTarget


@functools.cache
def load_location(location: CodeLocation) -> dg.Definitions:
    """The location's Definitions; exit 2 (UnsupportedInputError) naming the location for anything else."""
    from dagster._core.errors import DagsterImportError, DagsterInvariantViolationError

    what = location.describe()
    if location.python_file and not Path(location.python_file).is_file():
        raise UnsupportedInputError(f"{what} not found: pass -f with a path relative to the project root")
    try:
        targets = _loadable_targets(location)
    except (ImportError, DagsterImportError) as error:
        cause = error.__cause__ if isinstance(error, DagsterImportError) and error.__cause__ else error
        flag = "-m/--module-name and -d/--working-directory" if location.module else "-f/--python-file"
        raise UnsupportedInputError(f"cannot import {what}: {cause}; check {flag}") from error
    except DagsterInvariantViolationError as error:  # no definitions, several Definitions objects, ...
        raise UnsupportedInputError(f"{what}: {error}; name the one to compile with -a/--attribute") from error
    except Exception as error:  # the project's own code raised while importing: a bad setting, a typo
        raise UnsupportedInputError(
            f"{what} failed to import: {error} ({type(error).__name__}; --debug shows where)"
        ) from error
    if len(targets) != 1:
        names = ", ".join(target.attribute for target in targets)
        raise UnsupportedInputError(f"{what} holds several loadable targets ({names}): pick one with -a/--attribute")
    return _definitions(targets[0].target_definition, what)


def _loadable_targets(location: CodeLocation) -> Sequence["LoadableTarget"]:
    """What Dagster's `get_loadable_targets(..., resolve_lazy_defs=False)` returns for the location."""
    from dagster._core.code_pointer import load_python_file, load_python_module
    from dagster._grpc.utils import get_loadable_targets

    working_directory = str(Path(location.working_directory).resolve())
    if location.python_file and not location.attribute:
        return discovered_targets(load_python_file(location.python_file, working_directory))
    if location.module and not location.attribute:
        return discovered_targets(load_python_module(location.module, working_directory, remove_from_path_fn=None))
    return get_loadable_targets(  # a named attribute: Dagster loads it without any discovery
        python_file=location.python_file,
        module_name=location.module,
        package_name=None,
        autoload_defs_module_name=None,
        working_directory=working_directory,
        attribute=location.attribute,
        resolve_lazy_defs=False,
    )


def discovered_targets(module: ModuleType) -> Sequence["LoadableTarget"]:
    """Dagster's `loadable_targets_from_loaded_module(module)`, its two common answers found without its import.

    Dagster returns the one `@dg.definitions` function if there is one, else the one `Definitions` object; those two
    answers come from Dagster's own `_loadable_targets_of_type` and the same `LazyDefinitions` class (the one
    `dagster._utils.test.definitions` re-exports). Anything else (several of either, repositories, jobs, graphs,
    a module of assets, no target) is Dagster's function's own answer or error.
    """
    from dagster._core.workspace.autodiscovery import _loadable_targets_of_type, loadable_targets_from_loaded_module
    from dagster.components.definitions import LazyDefinitions

    lazy = _loadable_targets_of_type(module, LazyDefinitions)
    if len(lazy) == 1:
        return lazy
    if not lazy:
        definitions = _loadable_targets_of_type(module, dg.Definitions)
        if len(definitions) == 1:
            return definitions
    return loadable_targets_from_loaded_module(module)


def _definitions(target: object, what: str) -> dg.Definitions:
    """The Definitions behind a loadable target: Definitions, a module's assets, or one op/graph job (compiled as
    compiler/builder/op_jobs.py says); a @repository is refused."""
    from dagster.components.definitions import LazyDefinitions

    if isinstance(target, LazyDefinitions):
        try:
            target = target()  # what Dagster's repository_def_from_target_def does with a @dg.definitions function
        except Exception as error:
            raise UnsupportedInputError(
                f"{what}: its @dg.definitions function failed: {error} ({type(error).__name__}; --debug shows where)"
            ) from error
    if isinstance(target, dg.Definitions):
        return target
    if isinstance(target, list):  # Dagster's LOAD_ALL_ASSETS: a module of assets without a Definitions object
        return dg.Definitions(assets=target)
    if isinstance(target, dg.RepositoryDefinition):
        raise UnsupportedInputError(
            f"{what} holds a @repository ({target.name}), not Definitions: wrap its assets, schedules and resources "
            "in dg.Definitions"
        )
    if isinstance(target, dg.JobDefinition):  # a module holding one job: Dagster wraps it in a repository too
        return dg.Definitions(jobs=[target])
    if isinstance(target, dg.GraphDefinition):  # ... and a graph, as the job Dagster makes of it
        return dg.Definitions(jobs=[target.coerce_to_job()])
    kind = type(target).__name__
    raise UnsupportedInputError(f"{what} holds a {kind}, not Definitions: point -m/-f (or -a) at the Definitions")
