"""The pod's half of a compiled `@asset_sensor` (compiler/sensors/asset_events.py).

After a successful materialization of an asset some asset sensor monitors, the pod writes the marker object the
sensor's EventSource watches (`announce`). In the Workflow the Sensor then creates, every step evaluates the Dagster
sensor itself (`request_for_marker`): an ephemeral instance holding just that materialization, the sensor's own
`evaluate_tick` with no cursor (so its latest materialization is this one), and the run request it returns decides
the partition; a SkipReason, or no request, skips the step (exit 0). Several run requests, or one for other assets or
another job, are exit 2 naming the sensor: one Workflow runs one run.
"""

import os
import uuid
from typing import TYPE_CHECKING

from compiler.materialize.loading import MaterializeUsageError
from compiler.sensors.asset_events import BUCKET_VARIABLE, marker_key, read_marker, split_markers
from compiler.sensors.store import StoreSettingsError, StoreVariables, client_from_environment
from compiler.user_text import shortened

if TYPE_CHECKING:
    from dagster import AssetKey, Definitions


class SensorSkipped(Exception):
    """The asset sensor requested no run for this materialization: the step has nothing to do."""


def monitored_keys(defs: "Definitions", asset_keys: "list[AssetKey]") -> list["AssetKey"]:
    """The materialized keys some @asset_sensor of the Definitions watches, or an eager asset and its parents."""
    import dagster as dg

    watched = {sensor.asset_key for sensor in defs.sensors or [] if isinstance(sensor, dg.AssetSensorDefinition)}
    multi = [sensor for sensor in defs.sensors or [] if isinstance(sensor, dg.MultiAssetSensorDefinition)]
    if multi:  # builder/multi_asset_triggers.py: the all-updated pattern over unpartitioned assets
        from compiler.sensors.monitored import monitored_asset_keys

        graph = defs.resolve_asset_graph()
        watched.update(key for sensor in multi for key in monitored_asset_keys(sensor, graph))
    from compiler.sensors.eager import eager_parents  # AutomationCondition.eager(): the asset and its parents

    eager = eager_parents(defs.resolve_asset_graph())
    watched.update(key for asset, parents in eager.items() for key in (asset, *parents))
    return [key for key in asset_keys if key in watched]


def announce(defs: "Definitions", asset_keys: "list[AssetKey]", partition: str | None) -> list[str]:
    """Writes one marker per watched key; the keys written. A store that cannot be reached is an error: the
    materialization happened, and the downstream run Dagster's sensor would request must not be lost silently."""
    from io import BytesIO

    keys = monitored_keys(defs, asset_keys)
    if not keys:
        return []
    bucket = os.environ.get(BUCKET_VARIABLE, "")
    if not bucket:
        raise StoreSettingsError(f"the asset sensors' markers need {BUCKET_VARIABLE} in the environment")
    client = client_from_environment(StoreVariables())
    written = []
    for key in keys:
        name = marker_key(tuple(key.path), partition, uuid.uuid4().hex)
        client.put_object(bucket, name, BytesIO(b"{}"), 2, content_type="application/json")
        written.append(name)
    return written


def request_for_marker(defs: "Definitions", sensor_name: str, key: str) -> str | None:
    """The partition of the run the asset sensor requests for this marker's materialization (None: unpartitioned);
    SensorSkipped when it requests none."""
    import dagster as dg

    sensor = next((s for s in defs.sensors or [] if s.name == sensor_name), None)
    if isinstance(sensor, dg.MultiAssetSensorDefinition):  # the markers of every dependency, appended
        found = [read_marker(text) for text in split_markers(key)]
        markers = [marker for marker in found if marker is not None]
    elif isinstance(sensor, dg.AssetSensorDefinition):
        markers = [marker for marker in [read_marker(key)] if marker is not None]
    else:
        raise MaterializeUsageError(f"sensor {shortened(sensor_name, quoted=True)} is not an asset sensor")
    if not markers:
        raise MaterializeUsageError(f"object {shortened(key, quoted=True)} is not an asset-materialized marker")
    if isinstance(sensor, dg.AssetSensorDefinition) and tuple(sensor.asset_key.path) != markers[0].asset_path:
        raise MaterializeUsageError(
            f"sensor {sensor_name} monitors {sensor.asset_key.to_user_string()}, not {'/'.join(markers[0].asset_path)}"
        )
    with dg.DagsterInstance.ephemeral() as instance:
        for marker in markers:
            materialization = dg.AssetMaterialization(dg.AssetKey(list(marker.asset_path)), partition=marker.partition)
            instance.report_runless_asset_event(materialization)
        with dg.build_sensor_context(instance=instance, repository_def=defs.get_repository_def()) as context:
            result = sensor.evaluate_tick(context)
    requests = list(result.run_requests or [])
    if not requests:
        reason = result.skip_message or "no run request"
        raise SensorSkipped(f"sensor {sensor_name} requested no run: {reason}")
    if len(requests) > 1:
        raise MaterializeUsageError(f"sensor {sensor_name} requested {len(requests)} runs; one Workflow runs one")
    request = requests[0]
    if request.asset_selection is not None or request.job_name not in (None, *(t.job_name for t in sensor.targets)):
        raise MaterializeUsageError(
            f"sensor {sensor_name}: a RunRequest for other assets or another job is not compiled; request its job"
        )
    return request.partition_key
