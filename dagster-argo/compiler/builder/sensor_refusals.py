"""The one line a sensor the compiler does not compile is refused with (exit 2): what kind of sensor it is, why Argo
has no event for it, and what to use instead. Compiled are new_object_sensor (object_triggers.py), @asset_sensor
(asset_triggers.py), the all-updated @multi_asset_sensor (multi_asset_triggers.py) and automation condition sensors
(automation_sensors.py)."""

import dagster as dg


def sensor_refusal(sensor: dg.SensorDefinition) -> str:
    where = f"sensor {sensor.name}"
    if isinstance(sensor, dg.RunStatusSensorDefinition):
        return (
            f"{where}: run_status_sensor / run_failure_sensor is not compiled: it reacts to Dagster run statuses, and "
            "compiled Workflows report theirs to Argo, not to a Dagster daemon; alert from Argo (a workflow onExit "
            "handler or Argo's notifications) or fail the asset with a blocking asset check"
        )
    return (
        f"{where}: only sensors made by compiler.sensors.new_object_sensor, @asset_sensor, @multi_asset_sensor "
        "(all-updated) and automation condition sensors are compiled (to Argo Events); a @sensor's body "
        "(freshness-check sensors included) is code that polls something Argo has no event for: replace it with a "
        "new_object_sensor (new objects in a bucket), an @asset_sensor (an asset of this project materialized) or a "
        "schedule (e.g. a job running the checks)"
    )
