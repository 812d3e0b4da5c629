"""Find the Dagster `Definitions` and the asset a pod was asked to materialize.

Dagster is imported inside the functions, not at module level: `python -m compiler build` imports this package
(the CLI registers every subcommand) and must not pay for Dagster before it has started its structure-check child.
"""

from __future__ import annotations  # Dagster types as annotations only (imported lazily)

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.code_location import CodeLocation, add_target_arguments, location_from_flags
from compiler.errors import UnsupportedInputError
from compiler.user_text import shortened

if TYPE_CHECKING:
    from dagster import AssetKey, Definitions


class MaterializeUsageError(Exception):
    """Bad arguments (unknown module, asset or partition): the command exits 2."""


def pod_location(args: argparse.Namespace) -> CodeLocation:
    """The code location the step template names (`-m`/`-f`, `-a`, `-d`: compiler/code_location.py)."""
    try:
        location = location_from_flags(args, Path.cwd())
    except UnsupportedInputError as error:
        raise MaterializeUsageError(str(error)) from None
    if location is None:
        raise MaterializeUsageError("name the code location: -m/--module-name MODULE or -f/--python-file FILE")
    return location


def load_definitions(location: CodeLocation) -> Definitions:
    """The location's Definitions, by the same loader `build` uses (compiler/location_loading.py)."""
    from compiler.location_loading import load_location

    try:
        return load_location(location)
    except UnsupportedInputError as error:
        raise MaterializeUsageError(f"{error}; point -m/-f at the code location") from None


def location_text(location: CodeLocation) -> str:
    """The location as one string, for Dagster's reconstructable job arguments (strings only)."""
    return json.dumps(list(location.arguments()))


def location_from_text(text: str) -> CodeLocation:
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    add_target_arguments(parser)
    return pod_location(parser.parse_args(json.loads(text)))


def parse_asset_key(text: str) -> AssetKey:
    """`a/b/c` → AssetKey(["a", "b", "c"]), the form the compiler writes into the manifest."""
    from dagster import AssetKey

    parts = text.strip().split("/")
    if not text.strip() or any(not part for part in parts):
        raise MaterializeUsageError(
            f"asset key {shortened(text, quoted=True)} is empty or malformed; write it as path/with/slashes"
        )
    return AssetKey(parts)


def parse_asset_keys(values: list[str]) -> list[AssetKey]:
    """Every `--asset` value, each `a/b,c/d` (the keys of one multi-asset op the manifest selected), in order and
    without repeats."""
    keys = [parse_asset_key(part) for value in values for part in value.split(",")]
    return list(dict.fromkeys(keys))


def require_asset(defs: Definitions, key: AssetKey) -> None:
    """Stop with the list of known keys when the manifest names an asset the code does not have."""
    graph = defs.resolve_asset_graph()
    known = sorted(graph.materializable_asset_keys, key=lambda k: k.to_user_string())
    if key not in graph.materializable_asset_keys:
        listed = ", ".join(k.to_user_string() for k in known) or "(none)"
        raise MaterializeUsageError(
            f"unknown asset key {shortened(key.to_user_string(), quoted=True)}; known asset keys: {listed}"
        )


def require_one_op(defs: Definitions, keys: list[AssetKey]) -> None:
    """Several keys are one task only when one op materializes them all, and Dagster can run the subset."""
    graph = defs.resolve_asset_graph()
    ops = {graph.get(key).assets_def.node_def.name for key in keys}
    if len(ops) > 1:
        raise MaterializeUsageError(
            f"asset keys {', '.join(k.to_user_string() for k in keys)} belong to different ops "
            f"({', '.join(sorted(ops))}); one step materializes the keys of one op"
        )
    assets_def = graph.get(keys[0]).assets_def
    missing = sorted(k.to_user_string() for k in assets_def.keys - set(keys) if graph.get(k).is_materializable)
    if missing and not assets_def.can_subset:
        raise MaterializeUsageError(
            f"multi-asset {assets_def.node_def.name} cannot subset (can_subset=False): pass all its keys, "
            f"also {', '.join(missing)}"
        )


def require_own_task_check(defs: Definitions, key: AssetKey, check: str) -> None:
    """`--check NAME` runs a check that has a task of its own (compiler/check_tasks.py); any other is a bad argument:
    the asset's own run evaluates it."""
    from dagster import AssetCheckKey

    from compiler.check_tasks import split_checks

    own = sorted(c.name for c in split_checks(defs.resolve_asset_graph()).own_task if c.asset_key == key)
    if AssetCheckKey(key, check) not in {AssetCheckKey(key, name) for name in own}:
        listed = ", ".join(own) or "(none)"
        raise MaterializeUsageError(
            f"asset {key.to_user_string()} has no check {check!r} that runs in a task of its own; such checks: {listed}"
        )
