"""Explicit `AutomationConditionSensorDefinition`s: which sensor evaluates each asset's `on_cron`, and so whether its
CronWorkflow (compiler/builder/automation.py) starts suspended.

Dagster evaluates an asset's automation condition in the automation condition sensor whose `target` selects it, and
in `default_automation_condition_sensor` (STOPPED) when none does (`get_default_automation_condition_sensor_target`).
A sensor's `default_status` is the CronWorkflow's `suspend`: RUNNING → ticking from `kubectl apply`, STOPPED →
suspended, as a schedule's. The sensor's body is Dagster's own condition evaluation, which automation.py compiles
per asset (on_cron on root assets; everything else refused there), so such a sensor is no code Argo has to run.

Refused, naming the sensor: `default_condition` (it gives the selected assets without a condition one, which the
compiler would have to compile as theirs; give the assets their own `automation_condition`). Warned: `run_tags`
(the sensor's runs carry them in Dagster; a CronWorkflow's Workflows do not).
"""

from dataclasses import dataclass

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
from dagster._core.definitions.automation_condition_sensor_definition import AutomationConditionSensorDefinition
from dagster._core.definitions.sensor_definition import SensorType

from compiler.errors import UnsupportedInputError

_AUTOMATION_TYPES = (SensorType.AUTOMATION, SensorType.AUTO_MATERIALIZE)


@dataclass(frozen=True)
class Evaluator:
    """The automation condition sensor evaluating an asset's condition (None: Dagster's default one)."""

    sensor: str | None
    stopped: bool
    warnings: tuple[str, ...] = ()


DEFAULT = Evaluator(None, stopped=True)  # default_automation_condition_sensor starts STOPPED


def is_automation_sensor(sensor: dg.SensorDefinition) -> bool:
    return sensor.sensor_type in _AUTOMATION_TYPES


def evaluators(defs: dg.Definitions, graph: AssetGraph) -> dict[tuple[str, ...], Evaluator]:
    """Asset key → the explicit automation condition sensor selecting it (keys it does not select: DEFAULT)."""
    found: dict[tuple[str, ...], Evaluator] = {}
    for sensor in sorted((s for s in defs.sensors or [] if is_automation_sensor(s)), key=lambda s: s.name):
        evaluator = _evaluator(sensor)
        selection = sensor.asset_selection
        if selection is None:
            continue
        for key in selection.resolve(graph):
            found.setdefault(tuple(key.path), evaluator)
    return found


def _evaluator(sensor: dg.SensorDefinition) -> Evaluator:
    where = f"sensor {sensor.name}"
    if isinstance(sensor, AutomationConditionSensorDefinition) and sensor.default_condition is not None:
        raise UnsupportedInputError(
            f"{where}: default_condition gives the assets it selects without an automation_condition one of its "
            "own, which is not compiled; set automation_condition on those assets instead"
        )
    warnings = []
    if isinstance(sensor, AutomationConditionSensorDefinition) and sensor.run_tags:
        warnings.append(
            f"{where}: run_tags ({', '.join(sorted(sensor.run_tags))}) are on the runs it requests in Dagster; the "
            "CronWorkflows of the on_cron assets it evaluates start Workflows without them"
        )
    return Evaluator(sensor.name, sensor.default_status == dg.DefaultSensorStatus.STOPPED, tuple(warnings))
