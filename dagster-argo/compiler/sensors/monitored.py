"""The assets a `@multi_asset_sensor` monitors, read the same way by `build` and by the pod that writes markers."""

import dagster as dg
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph


def monitored_asset_keys(sensor: dg.MultiAssetSensorDefinition, graph: BaseAssetGraph) -> list[dg.AssetKey]:
    """A list of keys, or a selection resolved against the graph (Dagster keeps it as `_monitored_assets`)."""
    monitored = getattr(sensor, "_monitored_assets", None) or []
    if isinstance(monitored, dg.AssetSelection):
        return sorted(monitored.resolve(graph), key=lambda key: tuple(key.path))
    return sorted(monitored, key=lambda key: tuple(key.path))
