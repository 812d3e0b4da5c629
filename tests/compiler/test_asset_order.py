"""`asset_order`: the asset nodes every load pass walks, sorted once per resolved graph and shared by the passes."""

import gc
import weakref

import dagster as dg

from compiler.builder.asset_order import nodes_in_key_order


def _definitions() -> dg.Definitions:
    @dg.asset(key=["b", "z"])
    def bz() -> None: ...

    @dg.asset(key=["a", "y"], deps=[bz])
    def ay() -> None: ...

    @dg.asset(key="c")
    def c() -> None: ...

    return dg.Definitions(assets=[c, bz, ay, dg.AssetSpec("a")])


def test_every_node_comes_once_in_key_path_order() -> None:
    graph = _definitions().resolve_asset_graph()
    keys = [node.key for node in nodes_in_key_order(graph)]
    assert keys == [dg.AssetKey("a"), dg.AssetKey(["a", "y"]), dg.AssetKey(["b", "z"]), dg.AssetKey("c")]
    assert set(keys) == set(graph.get_all_asset_keys())  # external assets too: the passes filter what they read


def test_one_graph_is_sorted_once_and_a_new_graph_anew() -> None:
    defs = _definitions()
    first = nodes_in_key_order(defs.resolve_asset_graph())
    assert nodes_in_key_order(defs.resolve_asset_graph()) is first  # Dagster caches the graph on its Definitions
    other = nodes_in_key_order(_definitions().resolve_asset_graph())
    assert other is not first
    assert [node.key for node in other] == [node.key for node in first]


def test_the_cache_does_not_keep_a_graph_alive() -> None:
    """The sorted nodes must not refer back to their graph, or the weak key would never die (a build in a long-lived
    process, such as the tests, would keep every graph)."""
    graph = _definitions().resolve_asset_graph()
    nodes_in_key_order(graph)
    alive = weakref.ref(graph)
    del graph
    gc.collect()
    assert alive() is None
