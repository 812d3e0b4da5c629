"""Synthetic Dagster projects of any size for the compile benchmarks: chain, wide, random and a dbt-like layered graph.

The layered graph is shaped like a dbt project loaded into Dagster: staging models read nothing upstream,
intermediate models join staging models, marts join intermediate ones and reports read marts, mostly within one
business domain. Every asset has a group (`<domain>_<layer>`) and owners (the domain's team, plus a person on marts
and reports), as a dbt project's models do; the compiler writes each task's owners.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass

import dagster as dg

from tests.compiler.shapes import asset_name, chain_deps, make_asset, make_definitions, wide_deps

# (layer, share of the assets, how many upstream assets of the layer before it: low, high)
LAYERS = (("staging", 0.4, 0, 0), ("intermediate", 0.3, 1, 3), ("marts", 0.2, 2, 4), ("reports", 0.1, 1, 3))
ASSETS_PER_DOMAIN = 250  # a domain's models, across the four layers
CROSS_DOMAIN = 0.1  # the share of upstream picks taken from another domain's layer


def random_deps(n: int, seed: int = 17) -> dict[int, list[int]]:
    """A random DAG: each asset depends on 0 to 3 assets chosen uniformly among those before it (seeded)."""
    rng = random.Random(seed)
    return {i: sorted(rng.sample(range(i), rng.randint(0, min(3, i)))) for i in range(n)}


@dataclass(frozen=True)
class LayeredAsset:
    """One model of the layered graph: its upstream indices, group and owners."""

    deps: tuple[int, ...]
    group: str
    owners: tuple[str, ...]


def layered_assets(n: int, seed: int = 17) -> dict[int, LayeredAsset]:
    """n assets in four layers and n/250 domains (at least one); indices are in topological order (seeded)."""
    rng = random.Random(seed)
    domains = max(1, n // ASSETS_PER_DOMAIN)
    counts = [int(n * share) for _, share, _, _ in LAYERS]
    counts[0] += n - sum(counts)
    assets: dict[int, LayeredAsset] = {}
    below: dict[int, list[int]] = {}  # the layer before, by domain
    index = 0
    for (layer, _, low, high), count in zip(LAYERS, counts, strict=True):
        here: dict[int, list[int]] = {domain: [] for domain in range(domains)}
        for position in range(count):
            domain = position % domains
            deps: set[int] = set()
            for _ in range(rng.randint(low, high) if below else 0):
                source = rng.randrange(domains) if rng.random() < CROSS_DOMAIN else domain
                candidates = below.get(source) or [i for layer_assets in below.values() for i in layer_assets]
                if candidates:
                    deps.add(rng.choice(candidates))
            owners = [f"team:domain_{domain:03d}"]
            if layer in ("marts", "reports"):
                owners.append(f"analyst{domain:03d}@example.com")
            assets[index] = LayeredAsset(tuple(sorted(deps)), f"domain_{domain:03d}_{layer}", tuple(owners))
            here[domain].append(index)
            index += 1
        below = here
    return assets


def layered_definitions(n: int) -> dg.Definitions:
    specs = layered_assets(n)
    assets = [
        make_asset(asset_name(i), [asset_name(d) for d in spec.deps], group_name=spec.group, owners=list(spec.owners))
        for i, spec in specs.items()
    ]
    return dg.Definitions(assets=assets)


SHAPES: dict[str, Callable[[int], dg.Definitions]] = {
    "chain": lambda n: make_definitions(chain_deps(n)),
    "wide": lambda n: make_definitions(wide_deps(n)),
    "random": lambda n: make_definitions(random_deps(n)),
    "layered": layered_definitions,
}


def synthetic_definitions(shape: str, n: int) -> dg.Definitions:
    return SHAPES[shape](n)
