"""`@multi_asset_sensor` for the "all of these updated" pattern → one Argo Events Sensor with one dependency per
monitored asset's "asset materialized" markers (compiler/sensors/asset_events.py) and `conditions: "m0 && m1 ..."`.

Argo Events keeps the latest event per dependency and clears them all after the trigger fires
(eventbus/jetstream/sensor/trigger_conn.go), which is what an all-updated body does with `advance_all_cursors()`.
Which body has that pattern is decided by running it, at build, as Dagster's daemon would (`evaluate_tick` against
an ephemeral instance): with only one monitored asset materialized it must request nothing, with every one
materialized exactly one run of its job; any other answer (a body firing on any update, or asking something else) is
refused naming the sensor. Partitioned monitored assets are refused (per-partition bookkeeping has no Sensor form).
In the Workflow, every step evaluates the body again against the markers the trigger passes (materialize/
asset_events.py), so a body that skips then skips there too.
"""

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from compiler.builder.jobs import job_selection
from compiler.builder.model import ObjectTrigger
from compiler.errors import UnsupportedInputError
from compiler.sensors.asset_events import BUCKET_VARIABLE, MARKER_ROOT, MARKER_SUFFIX
from compiler.sensors.monitored import monitored_asset_keys
from compiler.sensors.spec import ObjectSensorSpec
from compiler.sensors.store import StoreVariables


def read_multi_asset_trigger(
    sensor: dg.MultiAssetSensorDefinition,
    graph: AssetGraph,
    materializable: set[tuple[str, ...]],
    repository: dg.RepositoryDefinition,
) -> ObjectTrigger:
    where = f"sensor {sensor.name}"
    keys = monitored_asset_keys(sensor, graph)
    for key in keys:
        if tuple(key.path) not in materializable:
            raise UnsupportedInputError(
                f"{where}: monitors {key.to_user_string()}, which no compiled step materializes, so nothing would "
                "emit its event; monitor assets of this project"
            )
        if graph.get(key).partitions_def is not None:
            raise UnsupportedInputError(
                f"{where}: monitors the partitioned asset {key.to_user_string()}; a multi-asset sensor over "
                "partitions is not compiled (its per-partition cursors have no Argo Events form): use an @asset_sensor"
            )
    if not keys:
        raise UnsupportedInputError(f"{where}: monitors no asset; monitor assets of this project")
    if len(sensor.targets) != 1:
        raise UnsupportedInputError(f"{where}: targets {len(sensor.targets)} jobs; give the sensor one job")
    job = sensor.targets[0].resolvable_to_job
    if not isinstance(job, UnresolvedAssetJobDefinition):
        raise UnsupportedInputError(f"{where}: target it at a define_asset_job job, not an op/graph job")
    selected = job_selection(job, graph, materializable, f"{where}: job {job.name}")
    if any(graph.get(dg.AssetKey(key)).partitions_def is not None for key in selected):
        raise UnsupportedInputError(f"{where}: its job {job.name} is partitioned; only unpartitioned jobs compile")
    _probe(sensor, keys, repository)
    spec = ObjectSensorSpec(
        name=sensor.name,
        bucket="",
        bucket_variable=BUCKET_VARIABLE,
        prefix=MARKER_ROOT,
        suffix=MARKER_SUFFIX,
        pattern=None,
        variables=StoreVariables(),
    )
    return ObjectTrigger(
        spec=spec,
        job_name=job.name,
        asset_keys=frozenset(selected),
        partitioned=False,
        dimensions=(),
        stopped=sensor.default_status == dg.DefaultSensorStatus.STOPPED,
        monitored=", ".join(key.to_user_string() for key in keys),
        monitored_keys=tuple(tuple(key.path) for key in keys),
    )


def _probe(sensor: dg.MultiAssetSensorDefinition, keys: list[dg.AssetKey], repository: dg.RepositoryDefinition) -> None:
    """Refuses a body that is not "all of these updated": it must request nothing after one materialization and
    exactly one run of its job after one of each. Over one asset (Dagster's docs monitor one this way too) "one of
    them" is "all of them": one run after its materialization, as an @asset_sensor on it would request."""
    where = f"sensor {sensor.name}"
    cases = [([key], 0) for key in keys if len(keys) > 1] + [(keys, 1)]
    for materialized, wanted in cases:
        try:
            with dg.DagsterInstance.ephemeral() as instance:
                for key in materialized:
                    instance.report_runless_asset_event(dg.AssetMaterialization(key))
                with dg.build_sensor_context(instance=instance, repository_def=repository) as context:
                    result = sensor.evaluate_tick(context)
        except Exception as error:  # the body's own failure: it asks something the probe cannot give
            raise UnsupportedInputError(
                f'{where}: its body failed when evaluated at build ({type(error).__name__}); only the "all of these '
                'updated" pattern compiles (RunRequest once every monitored asset has a new materialization)'
            ) from None
        requests = list(result.run_requests or [])
        shape_ok = all(r.asset_selection is None and r.partition_key is None for r in requests)
        if len(requests) != wanted or not shape_ok:
            after = "only " + materialized[0].to_user_string() if wanted == 0 else "all of them"
            raise UnsupportedInputError(
                f'{where}: requests {len(requests)} run(s) when {after} materialized; only the "all of these '
                'updated" pattern compiles (one RunRequest of its job once every monitored asset updated, none before)'
            )


def multi_asset_sensor_warnings(sensor: str, monitored: str) -> list[str]:
    """Where the compiled all-updated @multi_asset_sensor differs from Dagster's, one line each, naming it."""
    where = f"sensor {sensor}"
    return [
        f"{where}: the Sensor fires once every one of {monitored} has a marker object of a compiled step's "
        "materialization since it last fired (Argo Events keeps the latest per dependency and clears them after "
        "firing, as advance_all_cursors does); materializations Argo's steps did not make start nothing here",
        f'{where}: its body was checked at build to be the "all of these updated" pattern and runs again in every '
        "step pod against an instance holding only the materializations the markers name: a body reading more of "
        "the history or another system may answer differently than on Dagster's daemon",
    ]
