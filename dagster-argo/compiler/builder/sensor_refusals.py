"""The one line a sensor the compiler does not compile is refused with (exit 2): what kind of sensor it is, why Argo
has no event for it, and what to use instead. Compiled are new_object_sensor (object_triggers.py), @asset_sensor
(asset_triggers.py), the all-updated @multi_asset_sensor (multi_asset_triggers.py) and automation condition sensors
(automation_sensors.py), alert-only run status sensors (exit_handlers.py, which names why the others are refused) and
run status sensors requesting runs (run_triggers.py).
"""

import dagster as dg

from compiler.builder.exit_handlers import run_status_refusal


def sensor_refusal(sensor: dg.SensorDefinition) -> str:
    where = f"sensor {sensor.name}"
    if isinstance(sensor, dg.RunStatusSensorDefinition):
        return run_status_refusal(sensor, requesting=bool(sensor.targets)) or (
            f"{where}: compiled as an exit handler or an Argo Events Sensor (builder/exit_handlers.py, run_triggers.py)"
        )
    if is_freshness_check_sensor(sensor):
        return (
            f"{where}: a freshness-check sensor (build_sensor_for_freshness_checks) is not compiled: every "
            f"{sensor.minimum_interval_seconds or 30} s it runs the checks that are due, alone, against the "
            "materialization times in Dagster's instance, and a compiled job cannot run checks without their asset "
            "(a job of only checks selects nothing to materialize); the freshness checks themselves compile and run "
            "with each materialization of their asset: drop the sensor from the Definitions you compile, or keep it "
            "in a Dagster daemon reading the shared instance ([tool.compiler.instance])"
        )
    return (
        f"{where}: only sensors made by compiler.sensors.new_object_sensor, @asset_sensor, @multi_asset_sensor "
        "(all-updated), automation condition sensors (to Argo Events) and run status sensors (to an exit handler, "
        "or to Argo Events when they request runs) are compiled; a @sensor's body "
        "(freshness-check sensors included) is code that polls something Argo has no event for: replace it with a "
        "new_object_sensor (new objects in a bucket), an @asset_sensor (an asset of this project materialized) or a "
        "schedule (e.g. a job running the checks)"
    )


def is_freshness_check_sensor(sensor: dg.SensorDefinition) -> bool:
    """Made by `build_sensor_for_freshness_checks`: Dagster's factory module defines its evaluation function."""
    function = getattr(sensor, "_raw_fn", None)
    return "freshness_checks" in str(getattr(function, "__module__", ""))
