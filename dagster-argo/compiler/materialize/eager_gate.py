"""The gate of a compiled `AutomationCondition.eager()` (compiler/sensors/eager.py, builder/eager.py): the eager
asset's pod, started by a parent's "asset materialized" marker, decides from the latest markers in the bucket
whether Dagster's eager would request the asset now, before it materializes anything."""

import os
from datetime import datetime
from typing import TYPE_CHECKING

from compiler.materialize.asset_events import SensorSkipped
from compiler.materialize.loading import MaterializeUsageError
from compiler.sensors.asset_events import BUCKET_VARIABLE, MARKER_SUFFIX, marker_prefix
from compiler.sensors.eager import due, eager_parents
from compiler.sensors.store import StoreSettingsError, StoreVariables, client_from_environment
from compiler.user_text import shortened

if TYPE_CHECKING:
    from dagster import Definitions


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
    bucket = os.environ.get(BUCKET_VARIABLE, "")
    if not bucket:
        raise StoreSettingsError(f"the eager gate reads the markers in {BUCKET_VARIABLE}: set it in the environment")
    client = client_from_environment(StoreVariables())
    latest: dict[str, datetime | None] = {}
    for key in (asset, *parents):
        times = [
            item.last_modified
            for item in client.list_objects(bucket, prefix=marker_prefix(tuple(key.path)), recursive=True)
            if item.object_name and item.object_name.endswith(MARKER_SUFFIX) and item.last_modified is not None
        ]
        latest[key.to_user_string()] = max(times) if times else None
    run, why = due(asset.to_user_string(), latest, tuple(parent.to_user_string() for parent in parents))
    print(f"materialize: eager gate: {'run' if run else 'skip'}: {why}", flush=True)
    if not run:
        raise SensorSkipped(f"AutomationCondition.eager() would not request it: {why}")
