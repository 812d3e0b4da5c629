"""`EnvVar("X")` in the resources the assets need: each must reach the pods from `[tool.compiler]`.

Dagster resolves an EnvVar when the resource is initialised, in the pod; a variable the manifests never set makes
every run of that asset fail with "X is not set", after the build said nothing. The compiler reads the variables
from the resource objects (ConfigurableResource fields, nested resources included) and refuses to build while one
has no source.
"""

from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
from pydantic import BaseModel

from compiler.builder.model import EnvVarUse
from compiler.errors import UnsupportedInputError


def resource_env_vars(defs: dg.Definitions, graph: AssetGraph) -> tuple[EnvVarUse, ...]:
    """(variable, resource key, assets whose pod initialises that resource), sorted."""
    resources: Mapping[str, Any] = defs.resources or {}
    variables = {key: list(_env_vars(resource, 0)) for key, resource in sorted(resources.items())}
    reading = {key for key, found in variables.items() if found}  # only the assets using these are read
    if not reading:
        return ()  # no asset is read at all (`required_resource_keys` is computed anew on each read)
    materializable = {node.key for node in graph.asset_nodes if node.is_materializable}
    uses: dict[tuple[str, str], set[str]] = {}
    for assets_def in graph.assets_defs:
        if reading.isdisjoint(assets_def.required_resource_keys):
            continue
        # an asset check runs in the pod of the asset it checks
        pods = set(assets_def.keys) or {spec.asset_key for spec in assets_def.check_specs}
        names = {key.to_user_string() for key in pods & materializable}
        if not names:
            continue
        for resource_key in reading & set(assets_def.required_resource_keys):
            for variable in variables[resource_key]:
                uses.setdefault((variable, resource_key), set()).update(names)
    return tuple(
        EnvVarUse(variable=variable, resource=resource, assets=tuple(sorted(assets)))
        for (variable, resource), assets in sorted(uses.items())
    )


def env_vars_of(resource: Any) -> list[str]:
    """The EnvVar names one resource object reads (nested resources included), sorted, each once."""
    return sorted(set(_env_vars(resource, 0)))


def _env_vars(value: Any, depth: int) -> Iterable[str]:
    if depth > 20:  # a resource graph is shallow; this only guards against a cycle of plain objects
        return
    if isinstance(value, dg.EnvVar):
        yield value.env_var_name
    elif isinstance(value, BaseModel):  # ConfigurableResource / ConfigurableIOManager and their nested resources
        for name, item in vars(value).items():
            if not name.startswith("_"):
                yield from _env_vars(item, depth + 1)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _env_vars(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _env_vars(item, depth + 1)


def check_env_vars(uses: tuple[EnvVarUse, ...], provided: set[str], pod_env: Mapping[str, set[str]]) -> None:
    """Exit 2 listing every EnvVar no manifest sets, with the resource and assets that read it; `provided` reaches
    every pod, `pod_env` (asset → names) one asset's pod through its `dagster-k8s/config` env."""
    missing = [
        EnvVarUse(use.variable, use.resource, unset)
        for use in uses
        if use.variable not in provided
        and (unset := tuple(asset for asset in use.assets if use.variable not in pod_env.get(asset, set())))
    ]
    if not missing:
        return
    listing = "; ".join(
        f"{use.variable} (resource {use.resource!r}, asset{'s' if len(use.assets) > 1 else ''} {', '.join(use.assets)})"
        for use in missing
    )
    raise UnsupportedInputError(
        f"resources read EnvVar(s) that [tool.compiler] maps to nothing: {listing}; add each to config_keys "
        "(a ConfigMap), env (a plain value) or secrets (a Secret), or the pods fail with 'not set'"
    )
