"""IO managers that cannot hand a value from one pod to the next, unless their files are on a shared volume.

Under Dagster's default executor every step of a run shares one machine; on Argo each asset runs in its own pod with
its own disk and memory. A downstream asset that loads its upstream's value (an input, not `deps=`) through the
default filesystem IO manager, a filesystem IO manager on a pod-local path, or an in-memory IO manager finds
nothing there, or worse finds it under `run-local`, where every task shares this machine's disk. The IO managers of
Dagster's storage integrations (S3, GCS, ADLS2, BigQuery, Snowflake: fidelity/shared_storage.py) are shared by every
pod and pass; a filesystem IO manager whose `base_dir` (or a DuckDB IO manager whose database file) lies under
`[tool.compiler.shared_volume] mount_path` passes, since every step pod mounts that claim there. The assets the other
handoffs join run in one pod together (compiler/builder/pod_local.py), as Dagster runs them on one machine.
"""

from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
from dagster._core.storage.fs_io_manager import PickledObjectFilesystemIOManager
from dagster._core.storage.mem_io_manager import InMemoryIOManager

from compiler.builder.asset_order import nodes_in_key_order, once_per_graph
from compiler.builder.fidelity.shared_storage import (
    MOTHERDUCK_PREFIXES,
    duckdb_database,
    integration_of,
    is_duckdb,
    is_object_store_or_warehouse,
)
from compiler.builder.model import IOHandoff
from compiler.builder.partition_mapping import reads_own_partition
from compiler.errors import UnsupportedInputError
from compiler.settings import Settings

DEFAULT_IO_MANAGER_KEY = "io_manager"
DEFAULT_KIND = "Dagster's default filesystem IO manager"
FILESYSTEM_KIND = "a filesystem IO manager"
MEMORY_KIND = "an in-memory IO manager"
DUCKDB_KIND = "a DuckDB IO manager, whose database is one file"
SHARED_CHOICES = (
    "an IO manager on shared storage (e.g. dagster-aws S3PickleIOManager, GCS, ADLS2, BigQuery, Snowflake), or "
    "FilesystemIOManager(base_dir=...) under [tool.compiler.shared_volume] mount_path"
)


@once_per_graph  # pod_local_handoffs and custom_io.py judge the same handoffs
def value_inputs(graph: AssetGraph) -> tuple[tuple[dg.AssetKey, dg.AssetKey, str], ...]:
    """(asset, upstream, IO manager key) of every input through which a materializable asset loads the value another
    materializable asset stored: the handoffs between two tasks (not `deps=`, not external or self-dependencies)."""
    return tuple(_value_inputs(graph))


def _value_inputs(graph: AssetGraph) -> Iterator[tuple[dg.AssetKey, dg.AssetKey, str]]:
    for node in nodes_in_key_order(graph):
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
            yield (
                node.key,
                upstream_key,
                input_def.input_manager_key or _io_manager_key(upstream.assets_def, upstream_key),
            )


def pod_local_handoffs(defs: dg.Definitions, graph: AssetGraph) -> tuple[IOHandoff, ...]:
    """Every (asset, upstream) value handoff between two tasks that goes through pod-local storage."""
    resources: Mapping[str, Any] = defs.resources or {}
    handoffs: list[IOHandoff] = []
    for asset_key, upstream_key, key in value_inputs(graph):
        found = _pod_local_kind(key, resources)
        if found is not None:
            kind, path = found
            handoffs.append(
                IOHandoff(
                    asset=asset_key.to_user_string(),
                    upstream=upstream_key.to_user_string(),
                    io_manager_key=key,
                    kind=kind,
                    can_be_shared=kind in (FILESYSTEM_KIND, DUCKDB_KIND),
                    path=None if isinstance(path, dg.EnvVar) or not isinstance(path, str) else path,
                    path_variable=path.env_var_name if isinstance(path, dg.EnvVar) else None,
                    same_partition=_same_partition(graph, asset_key, upstream_key),
                )
            )
    return tuple(handoffs)


def _same_partition(graph: AssetGraph, key: dg.AssetKey, upstream_key: dg.AssetKey) -> bool:
    """Whether the asset reads exactly the upstream partition its own run materializes, by Dagster's own partition
    mapping (compiler/builder/partition_mapping.py). Different definitions (one side unpartitioned included) are
    another mismatch, which compiler/builder/pod_local.py names as such."""
    child, parent = graph.get(key).partitions_def, graph.get(upstream_key).partitions_def
    if child is None or parent is None or child != parent:
        return True
    return reads_own_partition(child, parent, graph.get_partition_mapping(key, upstream_key))


def _io_manager_key(assets_def: dg.AssetsDefinition, key: dg.AssetKey) -> str:
    output_name = assets_def.get_output_name_for_asset_key(key)
    return assets_def.node_def.output_def_named(output_name).io_manager_key


def _pod_local_kind(key: str, resources: Mapping[str, Any]) -> tuple[str, Any] | None:
    """(kind, its base_dir or database when readable) of an IO manager that keeps values in the pod; None if not."""
    resource = resources.get(key)
    if resource is None:
        return (DEFAULT_KIND, None) if key == DEFAULT_IO_MANAGER_KEY else None
    integration = integration_of(resource)
    if integration is not None:
        package, _ = integration
        if is_object_store_or_warehouse(package):
            return None
        if is_duckdb(package):
            return DUCKDB_KIND, duckdb_database(resource)
    resource_fn = getattr(resource, "resource_fn", None)
    if isinstance(resource, InMemoryIOManager) or resource_fn is dg.mem_io_manager.resource_fn:
        return MEMORY_KIND, None
    if isinstance(resource, dg.FilesystemIOManager | PickledObjectFilesystemIOManager):
        return FILESYSTEM_KIND, getattr(resource, "base_dir", None)
    if resource_fn is dg.fs_io_manager.resource_fn:
        return FILESYSTEM_KIND, None  # an @io_manager's configured base_dir is not readable before a run
    return None


def unshared_handoffs(handoffs: tuple[IOHandoff, ...], settings: Settings) -> tuple[tuple[IOHandoff, str], ...]:
    """The handoffs no second pod could complete, each with what the user would set to share them. The assets they
    join run in one pod (compiler/builder/pod_local.py), as Dagster runs them on one machine."""
    env = dict(settings.env)
    volume = settings.shared_volume
    found: list[tuple[IOHandoff, str]] = []
    for handoff in handoffs:
        if handoff.can_be_shared and handoff.io_manager_key in settings.shared_io_managers:
            continue  # the team mounts a volume itself (dagster-k8s/config) and says so
        path = handoff.path if handoff.path_variable is None else env.get(handoff.path_variable)
        if handoff.kind == DUCKDB_KIND and path is not None and path.startswith(MOTHERDUCK_PREFIXES):
            continue  # MotherDuck: a warehouse service, not a file
        if handoff.can_be_shared and volume is not None and path is not None and volume.holds(path):
            continue
        if not handoff.can_be_shared:
            found.append(
                (
                    handoff,
                    "which keeps values inside one pod; each Argo pod has its own disk and memory. Set "
                    f"{handoff.io_manager_key!r} to {SHARED_CHOICES}",
                )
            )
        else:
            found.append((handoff, _not_shared(handoff, path, settings)))
    return tuple(found)


def handoff_words(handoff: IOHandoff) -> str:
    """`asset B: loads asset A through IO manager 'k' (kind)`: the subject of every line about a handoff."""
    return (
        f"asset {handoff.asset}: loads asset {handoff.upstream} through IO manager {handoff.io_manager_key!r} "
        f"({handoff.kind})"
    )


def check_handoffs(handoffs: tuple[IOHandoff, ...], settings: Settings) -> None:
    """Exit 2 for the first handoff that no second pod could complete, naming both assets, the IO manager and the
    fix: op jobs use it to choose one task per op (compiler/builder/op_steps.py)."""
    for handoff, why in unshared_handoffs(handoffs, settings):
        raise UnsupportedInputError(f"{handoff_words(handoff)}, {why}")


def _not_shared(handoff: IOHandoff, path: str | None, settings: Settings) -> str:
    """Why this filesystem or DuckDB handoff is not on shared storage, and what to set."""
    what = "database" if handoff.kind == DUCKDB_KIND else "base_dir"
    volume = settings.shared_volume
    if volume is None:
        return (
            f"which keeps values on the producing pod's disk; each Argo pod has its own. Mount a shared volume in "
            f"every pod with [tool.compiler.shared_volume] claim and mount_path and put its {what} under mount_path, "
            f'or add "{handoff.io_manager_key}" to [tool.compiler] shared_io_managers if you mount one yourself; '
            f"otherwise use {SHARED_CHOICES}"
        )
    if path is None and handoff.path_variable is not None:
        return (
            f"whose {what} is EnvVar {handoff.path_variable!r}, which [tool.compiler.env] does not set: set it there "
            f"to a path under [tool.compiler.shared_volume] mount_path {volume.mount_path}"
        )
    if path is None:
        return (
            f"whose {what} the compiler cannot read (unset, or an @io_manager's config): give it "
            f"{'DuckDBIOManager(database=...)' if what == 'database' else 'FilesystemIOManager(base_dir=...)'} "
            f"under [tool.compiler.shared_volume] mount_path {volume.mount_path}"
        )
    return (
        f"whose {what} {path} is not under [tool.compiler.shared_volume] mount_path {volume.mount_path}, so the "
        f"next pod does not see it: put the {what} under {volume.mount_path}"
    )
