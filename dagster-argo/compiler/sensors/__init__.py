"""Event-driven runs: `new_object_sensor` for Dagster, compiled to Argo Events by `python -m compiler build`."""

from compiler.sensors.object_sensor import new_object_sensor
from compiler.sensors.store import StoreVariables

__all__ = ["StoreVariables", "new_object_sensor"]
