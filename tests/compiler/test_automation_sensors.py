"""Explicit AutomationConditionSensorDefinitions (compiler/builder/automation_sensors.py): the on_cron CronWorkflow of
each asset is suspended exactly when the automation condition sensor Dagster evaluates it with starts STOPPED (the
sensor Dagster's own repository assigns, its default one included); default_condition is refused, run_tags warned."""

from typing import Any

import dagster as dg
import pytest
import yaml
from dagster._core.definitions.sensor_definition import SensorType

from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import compile_project
from compiler.builder.plan import make_plan
from compiler.errors import UnsupportedInputError
from tests.compiler.support import demo_settings

CRON = dg.AutomationCondition.on_cron("0 3 * * *", "Europe/Vienna")


@dg.asset(automation_condition=CRON, group_name="running")
def ticking() -> None: ...


@dg.asset(automation_condition=CRON, group_name="running")
def also_ticking() -> None: ...


@dg.asset(automation_condition=CRON)
def left_to_the_default() -> None: ...


@dg.asset(automation_condition=dg.AutomationCondition.on_cron("0 4 * * *"), group_name="stopped")
def explicitly_stopped() -> None: ...


SENSORS = [
    dg.AutomationConditionSensorDefinition(
        "running_automation", target=dg.AssetSelection.groups("running"), default_status=dg.DefaultSensorStatus.RUNNING
    ),
    dg.AutomationConditionSensorDefinition("stopped_automation", target=dg.AssetSelection.groups("stopped")),
]
DEFS = dg.Definitions(assets=[ticking, also_ticking, left_to_the_default, explicitly_stopped], sensors=SENSORS)


def _crons(defs: dg.Definitions) -> tuple[dict[str, dict[str, Any]], tuple[str, ...]]:
    result = compile_project(project_from_definitions("p", defs), demo_settings())
    crons = {}
    for name, text in result.all_files.items():
        document = yaml.safe_load(text) if name.endswith(".cronworkflow.yaml") else None
        if document:
            crons[name] = document
    return crons, result.warnings


def _dagster_stopped(defs: dg.Definitions) -> dict[str, bool]:
    """Dagster's answer: the automation condition sensor its repository runs for each asset (its default sensor
    for the ones no explicit sensor selects), and whether that sensor starts STOPPED."""
    repository = defs.get_repository_def()
    graph = repository.asset_graph
    found = {}
    for sensor in repository.sensor_defs:
        if sensor.sensor_type not in (SensorType.AUTOMATION, SensorType.AUTO_MATERIALIZE):
            continue
        assert sensor.asset_selection is not None
        for key in sensor.asset_selection.resolve(graph):
            found[key.to_user_string()] = sensor.default_status == dg.DefaultSensorStatus.STOPPED
    return found


def test_each_cron_workflow_is_suspended_as_the_sensor_dagster_evaluates_it_with() -> None:
    crons, _ = _crons(DEFS)
    compiled = {}
    for cron in crons.values():
        for key in GROUPS[cron["metadata"]["name"]]:
            compiled[key] = bool(cron["spec"].get("suspend", False))
    assert compiled == _dagster_stopped(DEFS)
    assert set(compiled.values()) == {True, False}  # both kinds occur: the comparison could fail


def _groups() -> dict[str, list[str]]:
    """CronWorkflow name → the on_cron assets it runs (one per cron, zone and sensor), from the build's plan."""
    project = project_from_definitions("p", DEFS)
    by_schedule = {schedule.name: schedule for schedule in project.schedules}
    return {
        cron.name: sorted("/".join(key) for key in by_schedule[cron.schedule].asset_keys)
        for cron in make_plan(project, demo_settings()).crons
    }


GROUPS = _groups()


def test_one_cron_and_zone_split_by_the_sensor_evaluating_it() -> None:
    assert sorted(GROUPS.values()) == [["also_ticking", "ticking"], ["explicitly_stopped"], ["left_to_the_default"]]


def test_default_condition_is_refused_naming_the_sensor() -> None:
    sensor = dg.AutomationConditionSensorDefinition(
        "with_default", target="*", use_user_code_server=True, default_condition=CRON
    )
    with pytest.raises(UnsupportedInputError, match="sensor with_default: default_condition"):
        project_from_definitions("p", dg.Definitions(assets=[ticking], sensors=[sensor]))


def test_run_tags_are_a_warning_naming_the_sensor() -> None:
    sensor = dg.AutomationConditionSensorDefinition("tagged", target="*", run_tags={"team": "air"})
    _, warnings = _crons(dg.Definitions(assets=[ticking], sensors=[sensor]))
    assert [w for w in warnings if w.startswith("sensor tagged: run_tags (team)")]
