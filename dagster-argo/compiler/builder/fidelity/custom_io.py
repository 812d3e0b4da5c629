"""Value handoffs through an IO manager the compiler cannot judge: a warning, so a pod-local one is never silent.

`io_handoff.py` knows Dagster's own IO managers (the default, filesystem, in-memory: pod-local) and those of its
storage integrations (S3, GCS, ADLS2, BigQuery, Snowflake, DuckDB: shared or a file). A project's own IO manager
(a `ConfigurableIOManager` subclass, an `@io_manager`) may store values anywhere, e.g. under
`context.instance.storage_directory()`, which is the producing pod's own disk on Argo: the next pod's load fails, or
under `run-local` (one machine) silently works. The compiler cannot read that from the code, so each such IO manager
gets one warning naming the assets that load through it, unless `[tool.compiler] shared_io_managers` lists its key
(the team says every pod reads what it stores).
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

from compiler.builder.fidelity.io_handoff import _pod_local_kind, value_inputs
from compiler.builder.fidelity.shared_storage import integration_of, is_object_store_or_warehouse

SHOWN = 3  # handoffs named per warning; the rest are counted


def custom_io_handoffs(defs: dg.Definitions, graph: AssetGraph) -> tuple[tuple[str, str, str, str], ...]:
    """(IO manager key, its class name, asset, upstream) of each handoff through an IO manager of unknown storage."""
    resources: Mapping[str, Any] = defs.resources or {}
    found: list[tuple[str, str, str, str]] = []
    for asset_key, upstream_key, key in value_inputs(graph):
        resource = resources.get(key)
        if resource is None:
            continue  # the default IO manager is pod-local (io_handoff.py); a missing key fails Dagster's own load
        if _pod_local_kind(key, resources) is not None:
            continue  # judged by io_handoff.py
        integration = integration_of(resource)
        if integration is not None and is_object_store_or_warehouse(integration[0]):
            continue
        kind = _function_name(resource) if type(resource) is dg.IOManagerDefinition else type(resource).__name__
        found.append((key, kind, asset_key.to_user_string(), upstream_key.to_user_string()))
    return tuple(found)


def custom_io_warnings(handoffs: tuple[tuple[str, str, str, str], ...], shared: tuple[str, ...]) -> list[str]:
    """One `warning:` line per IO manager key not declared shared, naming its first handoffs."""
    by_key: dict[str, list[tuple[str, str, str, str]]] = {}
    for handoff in handoffs:
        if handoff[0] not in shared:
            by_key.setdefault(handoff[0], []).append(handoff)
    lines = []
    for key, found in sorted(by_key.items()):
        named = "; ".join(f"asset {asset} loads asset {upstream}" for _, _, asset, upstream in found[:SHOWN])
        more = f" and {len(found) - SHOWN} more" if len(found) > SHOWN else ""
        lines.append(
            f"IO manager {key!r} ({found[0][1]}): {named}{more} through it, and the compiler cannot tell where it "
            "stores values; each Argo pod has its own disk and memory, so a value kept on the producing pod (e.g. "
            "under the instance's storage directory) is not there for the next pod: store them in an object store, "
            f'a warehouse or under [tool.compiler.shared_volume] mount_path, and add "{key}" to [tool.compiler] '
            "shared_io_managers to say so (which silences this warning)"
        )
    return lines


def _function_name(resource: Any) -> str:
    function = getattr(resource, "resource_fn", None)
    return f"@io_manager {getattr(function, '__name__', type(resource).__name__)}"
