"""IO managers that cannot hand a value from one pod to the next.

Under Dagster's default executor every step of a run shares one machine; on Argo each asset runs in its own pod with
its own disk and memory. A downstream asset that loads its upstream's value (an input, not `deps=`) through the
default filesystem IO manager, a filesystem IO manager on a pod-local path, or an in-memory IO manager finds
nothing there, or worse finds it under `run-local`, where every task shares this machine's disk.
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
from dagster._core.storage.fs_io_manager import PickledObjectFilesystemIOManager
from dagster._core.storage.mem_io_manager import InMemoryIOManager

from compiler.builder.model import IOHandoff
from compiler.errors import UnsupportedInputError

DEFAULT_IO_MANAGER_KEY = "io_manager"
DEFAULT_KIND = "Dagster's default filesystem IO manager"
FILESYSTEM_KIND = "a filesystem IO manager"
MEMORY_KIND = "an in-memory IO manager"


def pod_local_handoffs(defs: dg.Definitions, graph: AssetGraph) -> tuple[IOHandoff, ...]:
    """Every (asset, upstream) value handoff between two tasks that goes through pod-local storage."""
    resources: Mapping[str, Any] = defs.resources or {}
    handoffs: list[IOHandoff] = []
    for node in sorted(graph.asset_nodes, key=lambda n: tuple(n.key.path)):
        if not node.is_materializable:
            continue
        assets_def = node.assets_def
        for input_name, upstream_key in sorted(assets_def.keys_by_input_name.items()):
            input_def = assets_def.node_def.input_def_named(input_name)  # an op, or a graph (graph-backed assets)
            if input_def.dagster_type.is_nothing or not graph.has(upstream_key):
                continue
            upstream = graph.get(upstream_key)
            if not upstream.is_materializable or upstream_key == node.key:
                continue  # an external asset is not written by a pod; self-dependency reads its own earlier value
            key = input_def.input_manager_key or _io_manager_key(upstream.assets_def, upstream_key)
            kind = _pod_local_kind(key, resources)
            if kind is not None:
                handoffs.append(
                    IOHandoff(
                        asset=node.key.to_user_string(),
                        upstream=upstream_key.to_user_string(),
                        io_manager_key=key,
                        kind=kind,
                        can_be_shared=kind == FILESYSTEM_KIND,
                    )
                )
    return tuple(handoffs)


def _io_manager_key(assets_def: dg.AssetsDefinition, key: dg.AssetKey) -> str:
    output_name = assets_def.get_output_name_for_asset_key(key)
    return assets_def.node_def.output_def_named(output_name).io_manager_key


def _pod_local_kind(key: str, resources: Mapping[str, Any]) -> str | None:
    resource = resources.get(key)
    if resource is None:
        return DEFAULT_KIND if key == DEFAULT_IO_MANAGER_KEY else None
    resource_fn = getattr(resource, "resource_fn", None)
    if isinstance(resource, InMemoryIOManager) or resource_fn is dg.mem_io_manager.resource_fn:
        return MEMORY_KIND
    if isinstance(resource, dg.FilesystemIOManager | PickledObjectFilesystemIOManager):
        return FILESYSTEM_KIND
    if resource_fn is dg.fs_io_manager.resource_fn:
        return FILESYSTEM_KIND
    return None


def check_handoffs(handoffs: tuple[IOHandoff, ...], shared_io_managers: tuple[str, ...]) -> None:
    """Exit 2 for the first handoff that no pod could complete, naming both assets, the IO manager and the fix."""
    for handoff in handoffs:
        if handoff.can_be_shared and handoff.io_manager_key in shared_io_managers:
            continue
        where = (
            f"asset {handoff.asset}: loads asset {handoff.upstream} through IO manager {handoff.io_manager_key!r} "
            f"({handoff.kind})"
        )
        if handoff.can_be_shared:
            raise UnsupportedInputError(
                f"{where}, which keeps values on the producing pod's disk; each Argo pod has its own. If its base_dir "
                f'is a volume every pod mounts, add "{handoff.io_manager_key}" to [tool.compiler] '
                "shared_io_managers; otherwise use an IO manager on shared storage (an object store, a database)"
            )
        raise UnsupportedInputError(
            f"{where}, which keeps values inside one pod; each Argo pod has its own disk and memory. Set "
            f"{handoff.io_manager_key!r} to an IO manager on shared storage (an object store, a database, or "
            "FilesystemIOManager(base_dir=...) on a volume every pod mounts, listed in shared_io_managers)"
        )
