"""`build` of a @multi_asset_sensor (compiler/builder/multi_asset_triggers.py): one dependency per monitored asset,
`conditions` AND-ing them, the markers appended into `object-key`; only the all-updated body compiles (probed with
Dagster's own evaluate_tick); run-events' conditions follow govaluate's && / || / parentheses."""

from typing import Any

import dagster as dg
import pytest
import yaml

from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import compile_project
from compiler.errors import UnsupportedInputError
from compiler.run_events.conditions import conditions_hold
from compiler.run_events.sensors import RunEventsError
from compiler.sensors.asset_events import marker_key, split_markers
from compiler.settings import parse_settings
from tests.compiler.events.events_schema import events_schema_errors
from tests.compiler.events.test_events_compile import SETTINGS
from tests.compiler.projects import multi_asset_events

NAME = "object-events-report-when-both-updated"


def _files(defs: dg.Definitions = multi_asset_events.defs) -> dict[str, str]:
    project = project_from_definitions(multi_asset_events.__name__, defs)
    return compile_project(project, parse_settings(SETTINGS)).all_files


def test_one_dependency_per_monitored_asset_and_conditions_and_them() -> None:
    files = _files()
    assert files == _files()
    sensor: dict[str, Any] = yaml.safe_load(files[f"{NAME}.sensor.yaml"])
    assert [d["name"] for d in sensor["spec"]["dependencies"]] == ["m0", "m1"]
    trigger = sensor["spec"]["triggers"][0]["template"]
    assert trigger["conditions"] == "m0 && m1"
    appended = [p for p in trigger["k8s"]["parameters"] if p.get("operation") == "append"]
    assert [p["src"]["dependencyName"] for p in appended] == ["m1"]
    assert events_schema_errors(sensor) == []


def test_a_body_firing_on_any_update_is_refused_naming_the_sensor() -> None:
    @dg.multi_asset_sensor(
        monitored_assets=[multi_asset_events.air.key, multi_asset_events.weather.key],
        job=multi_asset_events.report_job,
    )
    def any_update(context: dg.MultiAssetSensorEvaluationContext) -> dg.RunRequest | None:
        if any(context.latest_materialization_records_by_key().values()):
            context.advance_all_cursors()
            return dg.RunRequest()
        return None

    defs = dg.Definitions(
        assets=[multi_asset_events.air, multi_asset_events.weather, multi_asset_events.report],
        jobs=[multi_asset_events.report_job],
        sensors=[any_update],
    )
    with pytest.raises(UnsupportedInputError, match=r"sensor any_update: requests 1 run.* when only air materialized"):
        _files(defs)


def test_appended_markers_split_back() -> None:
    keys = [marker_key(("air",), None, "r1"), marker_key(("weather", "vienna"), None, "r2")]
    assert split_markers("".join(keys)) == keys
    assert split_markers("not-a-marker") == []


@pytest.mark.parametrize(
    ("conditions", "held", "expected"),
    [
        ("m0 && m1", {"m0"}, False),
        ("m0 && m1", {"m0", "m1"}, True),
        ("m0 || m1", {"m1"}, True),
        ("(m0 || m1) && m2", {"m1"}, False),
        ("(m0 || m1) && m2", {"m1", "m2"}, True),
        ("m0 || m1 && m2", {"m0"}, True),  # && binds tighter, as in govaluate
        ("", {"m0"}, False),  # no conditions: every dependency
    ],
)
def test_conditions_follow_govaluate(conditions: str, held: set[str], expected: bool) -> None:
    assert conditions_hold(conditions, held, {"m0", "m1", "m2"}) is expected


def test_conditions_naming_an_unknown_dependency_are_refused() -> None:
    with pytest.raises(RunEventsError, match="'m9' is not a dependency"):
        conditions_hold("m0 && m9", {"m0"}, {"m0", "m1"})


def test_with_secrets_per_asset_each_monitored_assets_pod_gets_the_store_credentials() -> None:
    project = project_from_definitions(multi_asset_events.__name__, multi_asset_events.defs)
    files = compile_project(project, parse_settings({**SETTINGS, "secrets_per_asset": True})).all_files
    template = yaml.safe_load(files["object-events.workflowtemplate.yaml"])
    with_store = set()
    for step in template["spec"]["templates"]:
        env = (step.get("container") or {}).get("env") or []
        if any(e["name"] == "MINIO_SECRET_KEY" and (e.get("valueFrom") or {}).get("secretKeyRef") for e in env):
            with_store.add(step["name"])
    main = next(t for t in template["spec"]["templates"] if t["name"] == "main")
    by_task = {task["name"]: task["template"] in with_store for task in main["dag"]["tasks"]}
    assert by_task == {"air": True, "weather": True, "report": False}
