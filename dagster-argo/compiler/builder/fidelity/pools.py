"""Dagster concurrency pools (`@asset(pool="warehouse")`) → Argo semaphores.

Dagster limits how many steps in a pool run at once across every run of the instance (one slot per step, held while
the step runs); the limit is set on the instance (`dagster instance concurrency set`), not in code, so the compiler
reads it from `[tool.compiler.pools]` (`warehouse = 2`). Each pooled asset's step template holds
`synchronization.semaphores: [{configMapKeyRef: {name: <pipeline>-pools, key: <pool>}}]` and `build` writes that
ConfigMap (one key per pool, the limit as its value) into argo_out/ and the kustomization; Argo's controller then
keeps at most that many such pods running across all workflows of the namespace, the rest Pending. A pool without a
limit is refused (exit 2, naming the asset and the pool): dropping it would overload what it protects.
"""

import re
from collections.abc import Mapping

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

from compiler.builder.asset_order import nodes_in_key_order
from compiler.errors import UnsupportedInputError

CONFIGMAP_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")  # Kubernetes ConfigMap data keys


def configmap_name(pipeline: str) -> str:
    return f"{pipeline}-pools"


def asset_pools(graph: AssetGraph) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """(asset key, its pools) for every materializable asset in a pool, sorted."""
    found = []
    for node in nodes_in_key_order(graph):
        if node.is_materializable and node.pools:
            for pool in node.pools:
                if not CONFIGMAP_KEY.match(pool):
                    raise UnsupportedInputError(
                        f"asset {node.key.to_user_string()}: pool {pool!r} cannot name an Argo semaphore (a ConfigMap "
                        "key: letters, digits, '-', '_', '.'); rename the pool"
                    )
            found.append((tuple(node.key.path), tuple(sorted(node.pools))))
    return tuple(found)


def check_pool_limits(
    uses: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...], limits: Mapping[str, int], what: str = ""
) -> None:
    """Every pool needs a limit; `what` names the object when it is not an asset (an op job's pod)."""
    for key, pools in uses:
        missing = [pool for pool in pools if pool not in limits]
        if missing:
            named = what or f"asset {dg.AssetKey(list(key)).to_user_string()}"
            raise UnsupportedInputError(
                f"{named}: pool {missing[0]!r} (pool=) has no limit; add `{missing[0]} = N` to "
                "[tool.compiler.pools] (how many steps of the pool may run at once across all runs, as "
                "`dagster instance concurrency set` would)"
            )


def pools_by_key(uses: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]) -> dict[tuple[str, ...], tuple[str, ...]]:
    return dict(uses)
