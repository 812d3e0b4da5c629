"""Dagster features with no Argo counterpart in this compiler: refused by name, or kept with a one-line warning."""

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

from compiler.builder.asset_order import nodes_in_key_order
from compiler.builder.fidelity.dagster_features import feature_warnings
from compiler.builder.fidelity.executor_concurrency import dag_limits


def unmapped_warnings(defs: dg.Definitions, graph: AssetGraph) -> tuple[str, ...]:
    """One line per asset with a freshness policy, and one per executor setting without a mapping."""
    warnings = [
        f"asset {node.key.to_user_string()}: freshness policy is not mapped (Argo has no equivalent); nothing "
        "evaluates or alerts on it, so monitor freshness in Dagster or with an asset check"
        for node in nodes_in_key_order(graph)
        if node.is_materializable and (node.freshness_policy is not None or node.legacy_freshness_policy is not None)
    ]
    warnings.extend(dag_limits(defs)[1])  # executors: compiler/builder/fidelity/executor_concurrency.py
    warnings.extend(feature_warnings(defs, graph))  # the WARNED fields of compiler/builder/fidelity/dagster_features.py
    return tuple(warnings)
