"""Asset checks that run in an Argo task of their own, decided once for the compiler and the pods alike.

Dagster runs a standalone `@asset_check(asset=A, additional_deps=[B])` as its own step after both A and B: when B
fails, A is still materialized and only the check does not run; a blocking check also holds back A's downstream
assets (their steps depend on it). Run inside A's pod, the check would make A wait for B, and skip A when B fails.
So such a check gets its own task, `depends` on A's and B's tasks, and A's pod runs A without it. The compiler
(compiler/builder/check_tasks.py) and the pod (compiler/materialize/pod_job.py) both ask `split_checks`, so they agree.

Kept in the asset's pod, with a `warning:` naming the check (compiler/README.md): a check whose asset or extra
dependency is fanned out over static or dynamic keys (its task would have to run per key inside a per-key DAG, not
mapped yet).
Checks declared on the asset itself (`check_specs`) are computed by the asset's op, in Dagster too: they stay.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dagster import AssetCheckKey, AssetKey


@dataclass(frozen=True)
class CheckSplit:
    """Check → its extra dependencies outside its asset's op: those in a task of their own, those kept in the pod."""

    own_task: "dict[AssetCheckKey, tuple[AssetKey, ...]]"
    in_pod: "dict[AssetCheckKey, tuple[AssetKey, ...]]"


def split_checks(graph: Any) -> CheckSplit:
    """`graph`: the Definitions' resolved asset graph (`defs.resolve_asset_graph()`)."""
    own_task: dict[AssetCheckKey, tuple[AssetKey, ...]] = {}
    in_pod: dict[AssetCheckKey, tuple[AssetKey, ...]] = {}
    materializable = set(graph.materializable_asset_keys)
    for assets_def in graph.assets_defs:
        if assets_def.keys:  # the checks of an asset's own op run with it, in Dagster too
            continue
        for spec in assets_def.check_specs:
            if spec.asset_key not in materializable:
                continue
            op_keys = graph.get(spec.asset_key).assets_def.keys
            extra = tuple(
                sorted(
                    {dep.asset_key for dep in spec.additional_deps} & (materializable - set(op_keys)),
                    key=lambda key: key.to_user_string(),
                )
            )
            if not extra:
                continue
            fanned = any(_fanned_out(graph.get(key).partitions_def) for key in (spec.asset_key, *extra))
            (in_pod if fanned else own_task)[spec.key] = extra
    return CheckSplit(own_task, in_pod)


def _fanned_out(partitions_def: Any) -> bool:
    """Static and multi-dimensional partitions fan out per key (compiler/builder/fan_out.py), dynamic ones over the
    instance's keys (compiler/builder/dynamic_partitions.py)."""
    import dagster as dg

    return isinstance(
        partitions_def,
        dg.StaticPartitionsDefinition | dg.MultiPartitionsDefinition | dg.DynamicPartitionsDefinition,
    )
