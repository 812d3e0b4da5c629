"""An op's own `dagster-k8s/config` tag in the one-task-per-op mapping (compiler/builder/op_steps.py): its pod
settings, read as an asset's tag is (compiler/builder/dagster_k8s.py), for a step template of its own.

Dagster's `k8s_job_executor` gives each step's pod the tag of its op (the node's tags: the op definition's and the
invocation's, `op.tag(...)`), merged onto the run's container context with dagster-k8s's deep merge
(`K8sContainerContext._deep_merge_k8s_config`: mappings merged key by key, lists appended without duplicates except
`command` and `args`, other values replaced). Here the job's own tag stands where the run's context stands (every op's
pod takes it: compiler/builder/op_job_plan.py), and the op's tag is merged onto it by that same rule.
"""

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg

from compiler.builder.dagster_k8s import TAG, read_pod_overrides
from compiler.builder.model import PodOverrides

ALWAYS_SHALLOW_LISTS = frozenset({"command", "args"})  # dagster-k8s's ALWAYS_SHALLOW_MERGE_LIST_FIELDS


def op_pods(job: dg.JobDefinition, handles: list[str]) -> tuple[tuple[str, PodOverrides], ...]:
    """(op handle, its pod settings) for each op of `handles` whose node carries its own tag."""
    job_tag = _tag_value(job.tags)
    found = []
    for handle in handles:
        own = _tag_value(_node_tags(job, handle))
        if own is None:
            continue
        merged = deep_merge(job_tag, own) if isinstance(job_tag, Mapping) and isinstance(own, Mapping) else own
        found.append((handle, read_pod_overrides(f"job {job.name} op {handle}", {TAG: merged})))
    return tuple(found)


def deep_merge(onto: Mapping[str, Any], incoming: Mapping[str, Any]) -> dict[str, Any]:
    """dagster-k8s's deep merge of two `dagster-k8s/config` values: `incoming` wins."""
    merged = dict(onto)
    for key, value in incoming.items():
        current = merged.get(key)
        if isinstance(value, list) and isinstance(current, list) and key not in ALWAYS_SHALLOW_LISTS:
            merged[key] = _without_duplicates([*current, *value])
        elif isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def _without_duplicates(items: list[Any]) -> list[Any]:
    seen: set[str] = set()
    kept = []
    for item in items:
        key = json.dumps(item, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def _node_tags(job: dg.JobDefinition, handle: str) -> Mapping[str, Any]:
    from dagster._core.definitions.dependency import NodeHandle

    return job.graph.get_node(NodeHandle.from_string(handle)).tags


def _tag_value(tags: Mapping[str, Any] | None) -> Any:
    """Dagster hands dict-valued tags back as JSON strings."""
    raw = (tags or {}).get(TAG)
    return json.loads(raw) if isinstance(raw, str) else raw
