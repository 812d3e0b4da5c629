"""A multi-asset (one op, several keys) as one task: its keys, its dependencies and the job subsets Dagster allows."""

from dataclasses import dataclass

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

from compiler.errors import UnsupportedInputError

Key = tuple[str, ...]


@dataclass(frozen=True)
class OpKeys:
    """The materializable keys of one op, sorted, and what they read from outside the op."""

    keys: tuple[Key, ...]
    deps: tuple[Key, ...]
    description: str | None
    owners: tuple[str, ...]

    @property
    def several(self) -> bool:
        return len(self.keys) > 1


def op_keys(graph: AssetGraph, assets_def: dg.AssetsDefinition) -> OpKeys:
    """Dependencies between keys of the same op are the op's own business (one task runs them all); a downstream
    asset of any key waits for the whole task, as in Dagster, where the op's step must finish first."""
    if len(assets_def.keys) == 1:  # the common case, read once: 10,000 of them at scale (issue #28)
        (key,) = assets_def.keys
        node = graph.get(key)
        if node.is_materializable:
            return OpKeys(
                keys=(tuple(key.path),),
                deps=tuple(sorted({tuple(parent.path) for parent in node.parent_keys if parent != key})),
                description=node.description,
                owners=tuple(dict.fromkeys(node.owners)),
            )
    keys = sorted((k for k in assets_def.keys if graph.get(k).is_materializable), key=lambda k: tuple(k.path))
    own = set(keys)
    deps = {tuple(parent.path) for key in keys for parent in graph.get(key).parent_keys if parent not in own}
    nodes = [graph.get(key) for key in keys]
    if len(keys) == 1:
        description = nodes[0].description
    else:  # one task, one annotation: the op's description, else the keys' own, one per line
        described = [f"{n.key.to_user_string()}: {n.description.strip()}" for n in nodes if n.description]
        description = assets_def.node_def.description or ("\n".join(described) or None)
    owners = tuple(dict.fromkeys(owner for node in nodes for owner in node.owners))
    return OpKeys(
        keys=tuple(tuple(k.path) for k in keys),
        deps=tuple(sorted(deps)),
        description=description,
        owners=owners,
    )


def check_job_subset(where: str, graph: AssetGraph, selected: set[Key]) -> None:
    """Dagster itself fails to resolve a job that selects part of a multi-asset with can_subset=False; the
    compiler says so at build time instead of deploying a CronWorkflow whose every run would fail."""
    for assets_def in {
        id(graph.get(dg.AssetKey(k)).assets_def): graph.get(dg.AssetKey(k)).assets_def for k in sorted(selected)
    }.values():
        keys = {tuple(k.path) for k in assets_def.keys if graph.get(k).is_materializable}
        if len(keys) > 1 and not assets_def.can_subset and not keys <= selected:
            missing = ", ".join("/".join(k) for k in sorted(keys - selected))
            raise UnsupportedInputError(
                f"{where} selects part of multi-asset {assets_def.node_def.name} "
                f"(can_subset=False), which Dagster cannot run; select its other keys too ({missing}) or make it "
                "can_subset=True"
            )
