"""The pod's half of a new_object_sensor: the object key a Sensor passed → the partition, with the sensor's own rule
(compiler/sensors/keys.py), the same code Dagster's sensor runs. A key the rule does not want (a manual submit, or an
SQS record the Sensor could not filter) is exit 2 with one line: another attempt cannot change it."""

from urllib.parse import unquote_plus

from dagster import AssetSensorDefinition, Definitions, MultiAssetSensorDefinition, RunStatusSensorDefinition

from compiler.materialize.asset_events import request_for_marker
from compiler.materialize.eager_gate import eager_gate
from compiler.materialize.loading import MaterializeUsageError
from compiler.materialize.run_request import request_for_ended_run
from compiler.sensors.asset_events import read_marker
from compiler.sensors.eager import is_trigger_name
from compiler.sensors.keys import describe_unwanted
from compiler.sensors.object_sensor import read_object_sensor
from compiler.user_text import shortened

ENCODINGS = ("", "url")


def partition_for_object(
    defs: Definitions, sensor_name: str, key: str, encoding: str = "", asset_path: tuple[str, ...] = ()
) -> str | None:
    """`encoding="url"`: the key as S3 notifications through SQS carry it (form-encoded, `+` for a space)."""
    if encoding not in ENCODINGS:
        raise MaterializeUsageError(
            f"--object-key-encoding {shortened(encoding, quoted=True)}: expected 'url' or nothing"
        )
    decoded = unquote_plus(key) if encoding == "url" else key
    sensors = {sensor.name: sensor for sensor in defs.sensors or []}
    if sensor_name not in sensors and is_trigger_name(sensor_name) and read_marker(decoded) is not None:
        eager_gate(defs, sensor_name, asset_path)  # AutomationCondition.eager(): materialize/eager_gate.py
        return None
    if not sensor_name or sensor_name not in sensors:
        raise MaterializeUsageError(
            "--object-key needs --sensor naming a new_object_sensor of the Definitions, got "
            f"{shortened(sensor_name, quoted=True)}"
        )
    if isinstance(
        sensors[sensor_name], AssetSensorDefinition | MultiAssetSensorDefinition
    ):  # its marker (compiler/materialize/asset_events.py)
        return request_for_marker(defs, sensor_name, decoded)
    if isinstance(sensors[sensor_name], RunStatusSensorDefinition):  # an ended run (materialize/run_request.py)
        return request_for_ended_run(sensors[sensor_name], decoded)
    spec = read_object_sensor(sensors[sensor_name])
    if spec is None:
        raise MaterializeUsageError(f"sensor {sensor_name} is not a new_object_sensor; it cannot map an object key")
    if not spec.rule.wanted(decoded):
        raise MaterializeUsageError(
            f"object {shortened(decoded, quoted=True)} starts no run of sensor {sensor_name}: "
            f"{describe_unwanted(spec.rule, decoded)}"
        )
    return spec.rule.partition_key(decoded)
