"""Asset checks run in their asset's pod, so whatever a check reads must exist before that pod starts."""

import dataclasses
from collections.abc import Sequence

from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

from compiler.builder.model import AssetSpec


def with_check_dependencies(assets: Sequence[AssetSpec], graph: AssetGraph) -> list[AssetSpec]:
    """`@asset_check(additional_deps=[other])` makes Dagster run the check after `other`; on Argo the check runs in
    its asset's task, so that task `depends` on `other`'s task (only materializable assets have tasks)."""
    owner = {key: asset.key for asset in assets for key in asset.all_keys}  # a multi-asset's keys share one task
    extra: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for assets_def in graph.assets_defs:
        for spec in assets_def.check_specs:
            checked = tuple(spec.asset_key.path)
            for dep in spec.additional_deps:
                key = tuple(dep.asset_key.path)
                if checked in owner and key in owner and owner[key] != owner[checked]:
                    extra.setdefault(owner[checked], set()).add(key)
    return [
        dataclasses.replace(asset, deps=tuple(sorted(set(asset.deps) | extra[asset.key])))
        if asset.key in extra
        else asset
        for asset in assets
    ]
