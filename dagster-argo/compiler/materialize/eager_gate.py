"""The gate of a compiled `AutomationCondition.eager()` (compiler/sensors/eager.py, builder/eager.py): the eager
asset's pod, started by a parent's "asset materialized" marker, decides from the latest markers in the bucket
whether Dagster's eager would request the asset now, before it materializes anything. With the shared instance
(`[tool.compiler.instance] kind = "postgres"`) it asks the instance's materialization records instead (exact
order, and materializations made outside Argo's steps count too)."""

import os
from typing import TYPE_CHECKING

from compiler.materialize.asset_events import SensorSkipped
from compiler.materialize.instance import open_instance, wants_shared_instance
from compiler.materialize.loading import MaterializeUsageError
from compiler.sensors.asset_events import BUCKET_VARIABLE, MARKER_SUFFIX, marker_prefix
from compiler.sensors.eager import due, eager_parents
from compiler.sensors.store import StoreSettingsError, StoreVariables, client_from_environment
from compiler.user_text import shortened

if TYPE_CHECKING:
    from dagster import AssetKey, Definitions


def eager_gate(defs: "Definitions", trigger: str, asset_path: tuple[str, ...]) -> None:
    """Returns when the asset is due; SensorSkipped (exit 0, nothing materialized) when eager would not run it."""
    import dagster as dg

    asset = dg.AssetKey(list(asset_path))
    parents = eager_parents(defs.resolve_asset_graph()).get(asset)
    if parents is None:
        raise MaterializeUsageError(
            f"sensor {shortened(trigger, quoted=True)}: {asset.to_user_string()} has no "
            "AutomationCondition.eager(); rebuild the manifests"
        )
    keys = (asset, *parents)
    shared = wants_shared_instance()
    latest = _recorded(keys) if shared else _marked(keys)
    run, why = due(asset.to_user_string(), latest, tuple(parent.to_user_string() for parent in parents))
    source = "the shared instance" if shared else "the markers"
    print(f"materialize: eager gate ({source}): {'run' if run else 'skip'}: {why}", flush=True)
    if not run:
        raise SensorSkipped(f"AutomationCondition.eager() would not request it: {why}")


def _recorded(keys: "tuple[AssetKey, ...]") -> dict[str, float | None]:
    """The shared instance's answer: each key's latest materialization event storage id (exact order, and it also
    sees materializations made outside Argo's steps)."""
    with open_instance() as instance:
        latest: dict[str, float | None] = {}
        for key in keys:
            records = instance.fetch_materializations(key, limit=1).records
            latest[key.to_user_string()] = float(records[0].storage_id) if records else None
        return latest


def _marked(keys: "tuple[AssetKey, ...]") -> dict[str, float | None]:
    """Without a shared instance: each key's latest "asset materialized" marker time in the bucket (one second)."""
    bucket = os.environ.get(BUCKET_VARIABLE, "")
    if not bucket:
        raise StoreSettingsError(f"the eager gate reads the markers in {BUCKET_VARIABLE}: set it in the environment")
    client = client_from_environment(StoreVariables())
    latest: dict[str, float | None] = {}
    for key in keys:
        times = [
            item.last_modified.timestamp()
            for item in client.list_objects(bucket, prefix=marker_prefix(tuple(key.path)), recursive=True)
            if item.object_name and item.object_name.endswith(MARKER_SUFFIX) and item.last_modified is not None
        ]
        latest[key.to_user_string()] = max(times) if times else None
    return latest
