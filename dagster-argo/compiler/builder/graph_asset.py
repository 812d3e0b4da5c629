"""What one task needs from the node behind an asset: a single op, or a graph (`@graph_asset`,
`AssetsDefinition.from_graph`, `@graph_multi_asset`), whose ops all run in the one pod, in process."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import dagster as dg

from compiler.builder.dagster_k8s import TAG
from compiler.errors import UnsupportedInputError


@dataclass(frozen=True)
class NodeSettings:
    retry_policy: dg.RetryPolicy | None
    tags: Mapping[str, Any]
    warning: str | None = None


def node_settings(name: str, assets_def: dg.AssetsDefinition) -> NodeSettings:
    """An op's own policy and tags. A graph's ops share one pod, so one retryStrategy and one pod spec: ops may set
    them only alike; a policy is taken for the whole graph with a warning (Argo reruns every op of the graph, where
    Dagster retries only the failed one)."""
    node = assets_def.node_def
    if isinstance(node, dg.OpDefinition):
        return NodeSettings(node.retry_policy, node.tags)
    ops = sorted(node.iterate_op_defs(), key=lambda op: op.name)
    policies = {op.name: op.retry_policy for op in ops if op.retry_policy is not None}
    if len(set(policies.values())) > 1:
        raise UnsupportedInputError(
            f"asset {name}: graph {node.name} has ops with different RetryPolicy ({', '.join(sorted(policies))}); "
            "the whole graph runs in one pod with one Argo retryStrategy, so give its ops the same policy or none"
        )
    configs = {op.name: _k8s_config(op.tags) for op in ops if TAG in op.tags}
    if len(set(configs.values())) > 1:
        raise UnsupportedInputError(
            f"asset {name}: graph {node.name} has ops with different {TAG} tags ({', '.join(sorted(configs))}); "
            "the whole graph runs in one pod, so tag its ops alike or tag one of them"
        )
    tags = {TAG: next(iter(configs.values()))} if configs else {}
    policy = next(iter(policies.values()), None)
    warning = None
    if policy is not None and policy.max_retries and len(ops) > 1:
        warning = (
            f"asset {name}: graph {node.name} runs in one pod, so a failed attempt reruns all {len(ops)} ops "
            f"(Dagster would retry only the failed op, up to {policy.max_retries} times)"
        )
    return NodeSettings(policy, tags, warning)


def _k8s_config(tags: Mapping[str, Any]) -> str:
    """Comparable form: Dagster gives dict tags as JSON strings; read_pod_overrides accepts either."""
    raw = tags[TAG]
    return raw if isinstance(raw, str) else json.dumps(raw, sort_keys=True)
