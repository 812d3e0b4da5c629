"""What several passes read off one resolved asset graph, computed once per graph rather than once per pass.

Every pass that reads the project (`load.py` and the checks it calls) walks the asset nodes sorted by key path, so
that what it reports, and the first error it raises, never depends on hashing. That sort is the only work of those
passes that grows faster than the project (n log n comparisons, each reading two keys scattered over the heap), and
at 10,000 assets eight passes sorted the same nodes again (benchmarks/README.md, issue #28).
"""

import functools
import weakref
from collections.abc import Callable
from typing import TypeVar

from dagster._core.definitions.assets.graph.asset_graph import AssetGraph, AssetNode

_T = TypeVar("_T")


def once_per_graph(read: Callable[[AssetGraph], _T]) -> Callable[[AssetGraph], _T]:
    """`read(graph)`, kept while the graph lives: an AssetGraph does not change once resolved (Dagster hashes it by
    identity). `read` must return something immutable, since every caller shares it."""
    cache: weakref.WeakKeyDictionary[AssetGraph, _T] = weakref.WeakKeyDictionary()

    @functools.wraps(read)
    def cached(graph: AssetGraph) -> _T:
        if graph not in cache:
            cache[graph] = read(graph)
        return cache[graph]

    return cached


@once_per_graph
def nodes_in_key_order(graph: AssetGraph) -> tuple[AssetNode, ...]:
    """Every asset node of `graph` (materializable, external and observable alike), sorted by key path."""
    return tuple(sorted(graph.asset_nodes, key=lambda node: tuple(node.key.path)))
