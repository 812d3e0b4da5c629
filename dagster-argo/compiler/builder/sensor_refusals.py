"""The one line a sensor the compiler does not compile is refused with (exit 2): what kind of sensor it is, why Argo
has no event for it, and what to use instead. Compiled are new_object_sensor (object_triggers.py), @asset_sensor
(asset_triggers.py), the all-updated @multi_asset_sensor (multi_asset_triggers.py) and automation condition sensors
(automation_sensors.py), freshness-check sensors (freshness.py), alert-only run status sensors (exit_handlers.py,
which names why the others are refused) and run status sensors requesting runs (run_triggers.py).
"""

import dagster as dg

from compiler.builder.exit_handlers import run_status_refusal


def sensor_refusal(sensor: dg.SensorDefinition) -> str:
    where = f"sensor {sensor.name}"
    if isinstance(sensor, dg.RunStatusSensorDefinition):
        return run_status_refusal(sensor, requesting=bool(sensor.targets)) or (
            f"{where}: compiled as an exit handler or an Argo Events Sensor (builder/exit_handlers.py, run_triggers.py)"
        )
    return (
        f"{where}: only sensors made by compiler.sensors.new_object_sensor, @asset_sensor, @multi_asset_sensor "
        "(all-updated), automation condition sensors (to Argo Events), freshness-check sensors (to a CronWorkflow) "
        "and run status sensors (to an exit handler, or to Argo Events when they request runs) are compiled; a "
        "@sensor's body is code that polls something Argo has no event for: replace it with a "
        "new_object_sensor (new objects in a bucket), an @asset_sensor (an asset of this project materialized) or a "
        "schedule (e.g. a job running the checks)"
    )
