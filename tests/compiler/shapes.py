"""Synthetic asset graphs of any size: chain, diamond, fan-in and wide."""

from collections.abc import Callable

import dagster as dg


def asset_name(index: int) -> str:
    return f"a_{index:05d}"


def task_name(index: int) -> str:
    """The task name the compiler should give `asset_name(index)`, written out by hand: `_` becomes `-`."""
    return f"a-{index:05d}"


def make_asset(name: str, deps: list[str], **options: object) -> dg.AssetsDefinition:
    @dg.asset(name=name, deps=[dg.AssetKey(dep) for dep in deps], **options)  # type: ignore[call-overload]
    def _asset() -> None:
        return None

    return _asset


def chain_deps(n: int) -> dict[int, list[int]]:
    return {i: [i - 1] if i else [] for i in range(n)}


def diamond_deps(n: int) -> dict[int, list[int]]:
    """Node 0 feeds nodes 1..n-2, which all feed node n-1."""
    if n < 3:
        return chain_deps(n)
    deps: dict[int, list[int]] = {0: []}
    deps.update({i: [0] for i in range(1, n - 1)})
    deps[n - 1] = list(range(1, n - 1))
    return deps


def fan_in_deps(n: int) -> dict[int, list[int]]:
    deps: dict[int, list[int]] = {i: [] for i in range(n - 1)}
    deps[n - 1] = list(range(n - 1))
    return deps


def wide_deps(n: int) -> dict[int, list[int]]:
    return {i: [] for i in range(n)}


SHAPES: dict[str, Callable[[int], dict[int, list[int]]]] = {
    "chain": chain_deps,
    "diamond": diamond_deps,
    "fan_in": fan_in_deps,
    "wide": wide_deps,
}


def make_definitions(deps: dict[int, list[int]]) -> dg.Definitions:
    assets = [make_asset(asset_name(i), [asset_name(d) for d in upstream]) for i, upstream in deps.items()]
    return dg.Definitions(assets=assets)
