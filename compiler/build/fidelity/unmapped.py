"""Dagster features with no Argo counterpart in this compiler: refused by name, or kept with a one-line warning."""

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

from compiler.build.fidelity.executor_concurrency import dag_limits
from compiler.errors import UnsupportedInputError


def reject_pools(graph: AssetGraph) -> None:
    """`pool=` limits how many runs use a resource at once across the instance; dropping it would overload what it
    protects (a database, an API quota)."""
    for node in sorted(graph.asset_nodes, key=lambda n: tuple(n.key.path)):
        if node.is_materializable and node.pools:
            raise UnsupportedInputError(
                f"asset {node.key.to_user_string()}: concurrency pool(s) {', '.join(sorted(node.pools))} (pool=) "
                "have no Argo mapping yet; remove pool= and limit concurrency with [tool.compiler.defaults] "
                "concurrency_policy, or run the asset outside Argo"
            )


def unmapped_warnings(defs: dg.Definitions, graph: AssetGraph) -> tuple[str, ...]:
    """One line per asset with a freshness policy, and one per executor setting without a mapping."""
    warnings = [
        f"asset {node.key.to_user_string()}: freshness policy is not mapped (Argo has no equivalent); nothing "
        "evaluates or alerts on it, so monitor freshness in Dagster or with an asset check"
        for node in sorted(graph.asset_nodes, key=lambda n: tuple(n.key.path))
        if node.is_materializable and (node.freshness_policy is not None or node.legacy_freshness_policy is not None)
    ]
    warnings.extend(dag_limits(defs)[1])  # executors: compiler/build/fidelity/executor_concurrency.py
    return tuple(warnings)
