"""Reads the Definitions' sensors: `new_object_sensor`s become ObjectTriggers, automation condition sensors decide
their on_cron CronWorkflows' suspend (automation_sensors.py), any other sensor is refused (exit 2).

The partition pattern's named groups must be the target's partition dimensions (one group for a one-dimensional
definition, the dimension names for a MultiPartitionsDefinition, none for unpartitioned assets): otherwise a key
could never name a partition, in Dagster or in the pod.
"""

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from compiler.builder.asset_triggers import read_asset_trigger
from compiler.builder.automation_sensors import is_automation_sensor
from compiler.builder.exit_handlers import is_run_status_sensor
from compiler.builder.freshness import is_freshness_check_sensor
from compiler.builder.jobs import job_selection
from compiler.builder.model import ObjectTrigger
from compiler.builder.multi_asset_triggers import read_multi_asset_trigger
from compiler.builder.sensor_refusals import sensor_refusal
from compiler.errors import UnsupportedInputError
from compiler.sensors.object_sensor import read_object_sensor


def refuse_other_sensors(defs: dg.Definitions) -> None:
    """Before the graph resolves: a sensor that is not compiled has a body Argo has no event for."""
    for sensor in defs.sensors or []:
        compiled = isinstance(sensor, dg.AssetSensorDefinition | dg.MultiAssetSensorDefinition)
        compiled = compiled or is_automation_sensor(sensor)
        # alert-only run status sensors: the exit handler (builder/exit_handlers.py), refused there otherwise
        compiled = compiled or is_run_status_sensor(sensor)
        compiled = compiled or is_freshness_check_sensor(sensor)  # a CronWorkflow: builder/freshness.py
        if not compiled and read_object_sensor(sensor) is None:
            raise UnsupportedInputError(sensor_refusal(sensor))  # builder/sensor_refusals.py


def read_object_triggers(
    defs: dg.Definitions, graph: AssetGraph, materializable: set[tuple[str, ...]]
) -> tuple[ObjectTrigger, ...]:
    # automation condition sensors: automation_sensors.py; run status sensors: exit_handlers.py; freshness.py
    sensors = [
        s
        for s in defs.sensors or []
        if not is_automation_sensor(s) and not is_run_status_sensor(s) and not is_freshness_check_sensor(s)
    ]
    triggers = []
    for sensor in sensors:
        if isinstance(sensor, dg.AssetSensorDefinition):
            triggers.append(read_asset_trigger(sensor, graph, materializable))
        elif isinstance(sensor, dg.MultiAssetSensorDefinition):  # builder/multi_asset_triggers.py
            triggers.append(read_multi_asset_trigger(sensor, graph, materializable, defs.get_repository_def()))
        else:
            triggers.append(_trigger(sensor, graph, materializable))
    return tuple(sorted(triggers, key=lambda t: t.spec.name))


def _trigger(sensor: dg.SensorDefinition, graph: AssetGraph, materializable: set[tuple[str, ...]]) -> ObjectTrigger:
    spec = read_object_sensor(sensor)
    assert spec is not None  # refuse_other_sensors ran first
    where = f"sensor {sensor.name}"
    if len(sensor.targets) != 1:
        raise UnsupportedInputError(f"{where}: targets {len(sensor.targets)} jobs; give new_object_sensor one target")
    job = sensor.targets[0].resolvable_to_job
    if not isinstance(job, UnresolvedAssetJobDefinition):
        raise UnsupportedInputError(f"{where}: target it at assets or a define_asset_job job, not an op/graph job")
    selected = job_selection(job, graph, materializable, f"{where}: job {job.name}")  # refusals as for any job
    partitions = {graph.get(dg.AssetKey(key)).partitions_def for key in sorted(selected)} - {None}
    groups = spec.rule.dimensions
    definition = next(iter(partitions)) if partitions else None
    dimensions = (
        tuple(sorted(d.name for d in definition.partitions_defs))
        if isinstance(definition, dg.MultiPartitionsDefinition)
        else ()
    )
    if definition is None and groups:
        raise UnsupportedInputError(
            f"{where}: partition_key names groups {', '.join(groups)} but its assets are not partitioned; "
            "drop the named groups"
        )
    if definition is not None and not (groups == dimensions if dimensions else len(groups) == 1):
        wanted = ", ".join(dimensions) if dimensions else "exactly one"
        raise UnsupportedInputError(
            f"{where}: partition_key {spec.pattern!r} has named groups ({', '.join(groups) or 'none'}); its assets' "
            f"partitions need {wanted}: name one group per dimension, e.g. (?P<city>[^/]+)"
        )
    return ObjectTrigger(
        spec=spec,
        job_name=job.name,
        asset_keys=frozenset(selected),
        partitioned=definition is not None,
        dimensions=dimensions,
        stopped=sensor.default_status == dg.DefaultSensorStatus.STOPPED,
    )
