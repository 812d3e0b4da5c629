"""`@asset_sensor` → the same Argo Events objects as a new_object_sensor, fed by the "asset materialized" marker the
monitored asset's pod writes (compiler/sensors/asset_events.py, compiler/materialize/asset_events.py).

The EventSource watches the marker prefix of the monitored asset in the bucket of `[tool.compiler.config]
MINIO_BUCKET`; the Sensor creates a Workflow of the sensor's job for each marker, passing the marker's key as
`object-key` and the sensor's name as `sensor`; every step of that Workflow evaluates the Dagster sensor against
that one materialization and runs the partition its RunRequest names, or skips on a SkipReason. The body is thus run
as Dagster runs it, with the differences `build` warns about (asset_sensor_warnings).
"""

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from compiler.builder.jobs import job_selection
from compiler.builder.model import ObjectTrigger
from compiler.errors import UnsupportedInputError
from compiler.sensors.asset_events import BUCKET_VARIABLE, MARKER_SUFFIX, marker_prefix
from compiler.sensors.spec import ObjectSensorSpec
from compiler.sensors.store import StoreVariables


def read_asset_trigger(
    sensor: dg.AssetSensorDefinition, graph: AssetGraph, materializable: set[tuple[str, ...]]
) -> ObjectTrigger:
    where = f"sensor {sensor.name}"
    monitored = tuple(sensor.asset_key.path)
    if monitored not in materializable:
        raise UnsupportedInputError(
            f"{where}: monitors {sensor.asset_key.to_user_string()}, which no compiled step materializes (an "
            "external asset, or not in these Definitions), so nothing would emit its event; monitor an asset of "
            "this project or use a schedule"
        )
    if len(sensor.targets) != 1:
        raise UnsupportedInputError(f"{where}: targets {len(sensor.targets)} jobs; give the asset sensor one job")
    job = sensor.targets[0].resolvable_to_job
    if not isinstance(job, UnresolvedAssetJobDefinition):
        raise UnsupportedInputError(f"{where}: target it at a define_asset_job job, not an op/graph job")
    selected = job_selection(job, graph, materializable, f"{where}: job {job.name}")
    partitions = {graph.get(dg.AssetKey(key)).partitions_def for key in sorted(selected)} - {None}
    spec = ObjectSensorSpec(
        name=sensor.name,
        bucket="",
        bucket_variable=BUCKET_VARIABLE,
        prefix=marker_prefix(monitored),
        suffix=MARKER_SUFFIX,
        pattern=None,
        variables=StoreVariables(),
    )
    return ObjectTrigger(
        spec=spec,
        job_name=job.name,
        asset_keys=frozenset(selected),
        partitioned=bool(partitions),
        dimensions=(),
        stopped=sensor.default_status == dg.DefaultSensorStatus.STOPPED,
        monitored=sensor.asset_key.to_user_string(),
    )


def asset_sensor_warnings(sensor: str, monitored: str) -> list[str]:
    """Where the compiled @asset_sensor differs from Dagster's, one line each, naming the sensor."""
    where = f"sensor {sensor}"
    return [
        f"{where}: each materialization of {monitored} by a compiled step writes a marker object under "
        ".dagster-argo/materialized/ that starts one Workflow; Dagster's sensor sees only the latest materialization "
        "since its cursor at each tick (two between ticks: one evaluation), and also materializations Argo's steps "
        "did not make (dagster dev, another deployment), which start nothing here",
        f"{where}: its body runs in every step pod of the Workflow against a Dagster instance holding only that "
        "materialization: a body reading other assets' history, the cursor, or another system may answer "
        "differently than on Dagster's daemon",
    ]
