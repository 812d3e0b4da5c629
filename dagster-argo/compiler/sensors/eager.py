"""`AutomationCondition.eager()` on an asset downstream of compiled assets: what the build and the pods both need.

Dagster's eager requests the asset when any parent was updated since the asset was last handled, no parent is
missing and neither the asset nor a parent is in progress. Compiled, each parent's pod writes the "asset
materialized" marker (compiler/sensors/asset_events.py); one Argo Events Sensor per (asset, parent) starts the
asset's own DAG, whose pod first evaluates that meaning (`due`) over the latest materializations (the shared
instance's records, else the markers' times: compiler/materialize/eager_gate.py) and materializes only when it
holds. The asset's own pod writes its marker too, so a later event sees it up to date.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import dagster as dg
    from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

TRIGGER_PREFIX = "eager_"  # the `sensor` parameter of an eager trigger: eager_<asset>__after__<parent>
AFTER = "__after__"


def is_eager(condition: "dg.AutomationCondition | None") -> bool:
    """Exactly `AutomationCondition.eager()` (a condition built on it is something else)."""
    import dagster as dg

    return condition is not None and condition == dg.AutomationCondition.eager()


def eager_parents(graph: "AssetGraph") -> dict["dg.AssetKey", tuple["dg.AssetKey", ...]]:
    """Each materializable asset whose condition is eager → its parents, sorted."""
    found = {}
    for node in graph.asset_nodes:
        if node.is_materializable and is_eager(node.automation_condition):
            found[node.key] = tuple(sorted(node.parent_keys, key=lambda key: key.to_user_string()))
    return found


def trigger_name(asset: "dg.AssetKey", parent: "dg.AssetKey") -> str:
    return f"{TRIGGER_PREFIX}{'__'.join(asset.path)}{AFTER}{'__'.join(parent.path)}"


def is_trigger_name(name: str) -> bool:
    return name.startswith(TRIGGER_PREFIX) and AFTER in name


def due(asset: str, latest: Mapping[str, float | None], parents: tuple[str, ...]) -> tuple[bool, str]:
    """(run?, why) for eager's meaning over the latest materialization of the asset and of each parent, as ordered
    numbers (a marker's time in seconds, or the shared instance's event storage id; None: never):
    no parent missing, and some parent updated strictly after the asset's latest materialization (a missing asset
    with every parent present counts as updated since). Equal times count as not since: both came from one run."""
    missing = [parent for parent in parents if latest.get(parent) is None]
    if missing:
        return False, f"parent {', '.join(missing)} was never materialized (eager waits for every parent)"
    times = {parent: time for parent in parents if (time := latest.get(parent)) is not None}
    own = latest.get(asset)
    newest = max(times, key=lambda parent: times[parent])
    if own is None:
        return True, f"{asset} was never materialized and every parent is"
    if times[newest] > own:
        return True, f"parent {newest} was materialized after {asset}"
    return False, f"{asset} is up to date: no parent was materialized after it"
