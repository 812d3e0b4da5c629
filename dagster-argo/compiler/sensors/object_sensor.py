"""`new_object_sensor`: a real Dagster sensor (list the bucket after a cursor, one run per new object) whose settings
the compiler reads back to emit an Argo Events EventSource and Sensor with the same meaning (compiler/sensors/README).
"""

from collections.abc import Sequence
from typing import Any

import dagster as dg

from compiler.sensors.cursor import ObjectCursor, run_key
from compiler.sensors.keys import KeyPatternError, ObjectKeyRule, describe_unwanted
from compiler.sensors.spec import METADATA_KEY, OBJECT_KEY_TAG, ObjectSensorSpec
from compiler.sensors.store import StoreVariables, client_from_environment, list_objects

DEFAULT_STORE = StoreVariables()  # MINIO_ENDPOINT, MINIO_ACCESS_KEY, MINIO_SECRET_KEY


def new_object_sensor(
    name: str,
    target: Any,
    bucket: str,
    prefix: str = "",
    suffix: str = "",
    partition_key: str | None = None,
    *,
    minimum_interval_seconds: int = 30,
    default_status: dg.DefaultSensorStatus = dg.DefaultSensorStatus.STOPPED,
    description: str | None = None,
    store: StoreVariables = DEFAULT_STORE,
) -> dg.SensorDefinition:
    """A sensor requesting one run of `target` (a job or an asset selection) per new object under `prefix` ending in
    `suffix`, with `run_key` = key@ETag and the partition from `partition_key`'s named groups, e.g.
    `city=(?P<city>[^/]+)/date=(?P<date>[^/]+)/` → `vienna|2026-11-27`. `bucket` may be `dg.EnvVar("MINIO_BUCKET")`:
    read when the sensor runs, and by `build` from `[tool.compiler.config]`. Directory markers and keys outside the
    pattern start nothing. `python -m compiler build` compiles it to an Argo Events EventSource + Sensor."""
    try:
        ObjectKeyRule(prefix, suffix, partition_key)  # refuses a pattern RE2 cannot read, at definition
    except KeyPatternError as error:
        raise dg.DagsterInvalidDefinitionError(f"new_object_sensor {name}: {error}") from None
    variable = bucket.env_var_name if isinstance(bucket, dg.EnvVar) else ""  # an EnvVar refuses str operations
    named = "" if variable else str(bucket)
    spec = ObjectSensorSpec(name, named, variable, prefix, suffix, partition_key, store)

    def evaluate(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        return evaluate_new_objects(context, spec)

    return dg.SensorDefinition(
        name=name,
        evaluation_fn=evaluate,
        target=target,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=default_status,
        description=description or f"one run per new object in {named or variable}/{prefix}*{suffix}",
        metadata={METADATA_KEY: spec.to_json()},
    )


def evaluate_new_objects(context: dg.SensorEvaluationContext, spec: ObjectSensorSpec) -> dg.SensorResult:
    """One tick: list after the cursor, one RunRequest per wanted new object, cursor past everything listed."""
    import os

    bucket = spec.bucket or os.environ.get(spec.bucket_variable, "")
    if not bucket:
        raise dg.DagsterInvariantViolationError(f"sensor {spec.name}: {spec.bucket_variable} is not set")
    cursor = ObjectCursor.parse(context.cursor)
    new = [o for o in list_objects(client_from_environment(spec.variables), bucket, spec.prefix) if cursor.is_new(o)]
    partitions = _target_partitions(context, spec.name)
    requests: list[dg.RunRequest] = []
    for obj in new:
        if not spec.rule.wanted(obj.key):
            context.log.info(f"{obj.key}: no run, {describe_unwanted(spec.rule, obj.key)}")
            continue
        partition = spec.rule.partition_key(obj.key)
        if partition is not None and partitions is not None and not partitions.has_partition_key(partition):
            # Dagster would fail the whole tick on it, and the cursor would never move past it
            context.log.info(f"{obj.key}: no run, {partition!r} is not a partition of the target (yet)")
            continue
        requests.append(dg.RunRequest(run_key=run_key(obj), partition_key=partition, tags={OBJECT_KEY_TAG: obj.key}))
    return dg.SensorResult(run_requests=requests, cursor=cursor.advanced(new).serialize() or context.cursor)


def _target_partitions(context: dg.SensorEvaluationContext, name: str) -> dg.PartitionsDefinition | None:
    """The target job's partitions definition, when the context has the repository (the daemon, tests)."""
    repository = context.repository_def
    if repository is None or not repository.has_sensor_def(name):
        return None
    job_name = repository.get_sensor_def(name).job_name
    return repository.get_job(job_name).partitions_def if job_name else None


def read_object_sensor(sensor: dg.SensorDefinition) -> ObjectSensorSpec | None:
    """The spec of a sensor made by `new_object_sensor`; None for any other sensor."""
    value = (sensor.metadata or {}).get(METADATA_KEY)
    text = getattr(value, "value", value)
    return ObjectSensorSpec.from_json(text) if isinstance(text, str) else None


def object_sensors(sensors: Sequence[dg.SensorDefinition]) -> dict[str, ObjectSensorSpec]:
    return {s.name: spec for s in sensors if (spec := read_object_sensor(s)) is not None}
