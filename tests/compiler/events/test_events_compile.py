"""`build` of a new_object_sensor: the EventSource, Sensor and their RBAC, byte-stable, valid against Argo Events'
schema (optional cross-check) and the controller rules; the Sensor's trigger names a template and entrypoint that
exist; refusals name the sensor; the rules catch what the controller would trip on."""

import copy
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml

from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import compile_project
from compiler.errors import UnsupportedInputError
from compiler.sensors import new_object_sensor
from compiler.settings import parse_settings
from compiler.validate.events import events_problems
from compiler.validate_command import run_validate
from tests.compiler.events.events_schema import events_schema_available, events_schema_errors
from tests.compiler.projects import object_events

SETTINGS: dict[str, Any] = {
    "name": "object-events",
    "image": "registry.example/object-events",
    "namespace": "argo",
    "service_account": "object-events",
    "config_map": "object-events-config",
    "config": {
        "MINIO_BUCKET": "air-quality",
        "MINIO_ENDPOINT": "https://minio.example:9000",
        "FIXTURE_MARKER_DIR": "/m",
    },
    "secrets": {
        "MINIO_ACCESS_KEY": {"name": "minio-credentials", "key": "access-key"},
        "MINIO_SECRET_KEY": {"name": "minio-credentials", "key": "secret-key"},
    },
}
NAME = "object-events-new-measurements"


def _build(defs: dg.Definitions = object_events.defs, **overrides: Any) -> dict[str, str]:
    settings = parse_settings({**SETTINGS, **overrides})
    result = compile_project(project_from_definitions(object_events.__name__, defs), settings)
    return result.all_files


def _doc(files: dict[str, str], name: str) -> dict[str, Any]:
    return yaml.safe_load(files[name])


def test_the_sensor_compiles_to_eventsource_sensor_and_rbac_byte_stable() -> None:
    files = _build()
    assert files == _build()  # determinism
    for kind in ("eventsource", "sensor"):
        assert f"{NAME}.{kind}.yaml" in files
    for kind in ("serviceaccount", "role", "rolebinding"):
        assert f"object-events-events.{kind}.yaml" in files
    kustomization = _doc(files, "kustomization.yaml")["resources"]
    assert {f"{NAME}.eventsource.yaml", f"{NAME}.sensor.yaml", "object-events-events.role.yaml"} <= set(kustomization)
    source = _doc(files, f"{NAME}.eventsource.yaml")["spec"]["minio"]["object-created"]
    assert source["endpoint"] == "minio.example:9000"
    assert source["insecure"] is False
    assert source["events"] == ["s3:ObjectCreated:*"]
    assert source["filter"] == {"prefix": "air_quality/", "suffix": ".parquet"}
    assert source["accessKey"] == {"name": "minio-credentials", "key": "access-key"}
    role = _doc(files, "object-events-events.role.yaml")
    assert role["rules"] == [{"apiGroups": ["argoproj.io"], "resources": ["workflows"], "verbs": ["create"]}]
    binding = _doc(files, "object-events-events.rolebinding.yaml")
    sensor = _doc(files, f"{NAME}.sensor.yaml")
    assert binding["subjects"][0]["name"] == sensor["spec"]["template"]["serviceAccountName"]


def test_the_trigger_names_the_workflow_template_and_an_entrypoint_that_exist() -> None:
    files = _build()
    template = _doc(files, "object-events.workflowtemplate.yaml")
    sensor = _doc(files, f"{NAME}.sensor.yaml")
    workflow = sensor["spec"]["triggers"][0]["template"]["k8s"]["source"]["resource"]
    assert workflow["spec"]["workflowTemplateRef"]["name"] == template["metadata"]["name"]
    entrypoint = workflow["spec"]["entrypoint"]
    dag = next(t for t in template["spec"]["templates"] if t["name"] == entrypoint)
    assert [task["name"] for task in dag["dag"]["tasks"]] == ["each-daily-summary"]  # the job: daily_summary only
    declared = {p["name"] for p in template["spec"]["arguments"]["parameters"]}
    assert {"object-key", "sensor"} <= declared
    assert {p["name"] for p in workflow["spec"]["arguments"]["parameters"]} <= declared


def test_eventsource_and_sensor_validate_against_argo_events_schema() -> None:
    files = _build()
    for name in (f"{NAME}.eventsource.yaml", f"{NAME}.sensor.yaml"):
        assert events_schema_errors(_doc(files, name)) == [], name
    misplaced = _doc(files, f"{NAME}.sensor.yaml")
    misplaced["spec"]["triggers"][0]["template"]["atLeastOnce"] = True  # belongs next to `template`
    assert events_schema_errors(misplaced) or not events_schema_available()


def test_validate_command_accepts_the_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, text in _build().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    paths = sorted(p for p in tmp_path.iterdir() if p.name != "kustomization.yaml")
    assert run_validate(type("Args", (), {"files": paths})()) == 0, capsys.readouterr().err


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda s: s["dependencies"][0].update(name="new-object"), "must be letters, digits and _"),
        (lambda s: s["dependencies"][0]["filters"]["data"][2].update(value=["air_quality/"]), "is not anchored"),
        (lambda s: s["dependencies"][0]["filters"]["data"][2].update(value=["^(?=x)$"]), "lookahead"),
        (lambda s: s["dependencies"][0].update(eventName="other"), "has no event 'other'"),
        (lambda s: _k8s(s)["parameters"][0]["src"].update(dependencyName="x"), "dependencyName 'x' is not"),
        (lambda s: _k8s(s)["parameters"][0].update(dest="spec.arguments.parameters.7.value"), "is not a parameter"),
        (lambda s: _resource(s)["spec"].update(entrypoint="job-nope"), "has no template 'job-nope'"),
        (lambda s: _resource(s)["spec"]["workflowTemplateRef"].update(name="nope"), "'nope' is not among"),
        (lambda s: s["triggers"][0]["template"].update(conditions="newobject && other"), "'other', which is not"),
    ],
)
def test_controller_rules_catch_what_the_schema_cannot(mutate: Any, expected: str) -> None:
    files = _build()
    documents = {name: _doc(files, name) for name in files if name.endswith((".eventsource.yaml", ".sensor.yaml"))}
    known = {
        "object-events": {t["name"] for t in _doc(files, "object-events.workflowtemplate.yaml")["spec"]["templates"]}
    }
    assert events_problems(documents, known) == []
    broken = copy.deepcopy(documents)
    mutate(broken[f"{NAME}.sensor.yaml"]["spec"])
    problems = events_problems(broken, known)
    assert any(expected in problem for problem in problems), problems


def test_webhook_ports_must_be_numeric() -> None:
    source = {"kind": "EventSource", "metadata": {"name": "hook"}, "spec": {"webhook": {"e": {"port": "http"}}}}
    problems = events_problems({"hook.yaml": source}, {})
    assert any("port must be a number" in p for p in problems)
    assert any("endpoint must start with /" in p for p in problems)


def _k8s(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["triggers"][0]["template"]["k8s"]


def _resource(spec: dict[str, Any]) -> dict[str, Any]:
    return _k8s(spec)["source"]["resource"]


def _defs_with(sensor: dg.SensorDefinition) -> dg.Definitions:
    return dg.Definitions(
        assets=[object_events.measurements, object_events.daily_summary],
        jobs=[object_events.summary_job],
        sensors=[sensor],
    )


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"city=(?P<city>[^/]+)/", "partitions need city, date"),
        (r"city=(?P<town>[^/]+)/date=(?P<date>[^/]+)/", "partitions need city, date"),
        (None, "partitions need city, date"),
    ],
)
def test_pattern_groups_must_be_the_partition_dimensions(pattern: str | None, expected: str) -> None:
    sensor = new_object_sensor("bad", object_events.summary_job, "b", partition_key=pattern)
    with pytest.raises(UnsupportedInputError, match=expected) as error:
        _build(_defs_with(sensor))
    assert "sensor bad" in str(error.value)


def test_a_pattern_re2_cannot_read_is_refused_at_definition() -> None:
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="lookahead"):
        new_object_sensor("bad", object_events.summary_job, "b", partition_key=r"city=(?P<city>(?!x)[^/]+)/")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"secrets": {}}, "add MINIO_ACCESS_KEY = { name = SECRET, key = KEY } to [tool.compiler.secrets]"),
        ({"config": {"MINIO_ENDPOINT": "http://m:9000", "FIXTURE_MARKER_DIR": "/m"}}, "MINIO_BUCKET, which"),
        ({"config": {"MINIO_BUCKET": "b", "FIXTURE_MARKER_DIR": "/m"}}, "set MINIO_ENDPOINT in"),
    ],
)
def test_missing_settings_name_the_sensor_and_the_setting(overrides: dict[str, Any], expected: str) -> None:
    with pytest.raises(UnsupportedInputError, match="sensor new_measurements") as error:
        _build(**overrides)
    assert expected in str(error.value)


def test_other_sensors_are_still_refused() -> None:
    @dg.sensor(job=object_events.summary_job)
    def polls_an_api() -> None:
        return None

    with pytest.raises(UnsupportedInputError, match="sensor polls_an_api: only sensors made by"):
        _build(_defs_with(polls_an_api))


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("multi", "sensor watched: monitors the partitioned asset measurements; a multi-asset sensor over partitions"),
        # alert-only run status sensors compile (test_run_status_sensors.py); these are what stays refused
        ("failure", "sensor watched: monitor_all_code_locations is not compiled"),
        ("status", "sensor watched: run_status STARTED is not compiled"),
    ],
)
def test_each_refused_kind_of_sensor_is_named_with_what_to_use(kind: str, expected: str) -> None:
    if kind == "multi":

        @dg.multi_asset_sensor(monitored_assets=[dg.AssetKey("measurements")], job=object_events.summary_job)
        def watched(context: dg.MultiAssetSensorEvaluationContext) -> None:
            return None

    elif kind == "failure":

        @dg.run_failure_sensor(name="watched", monitor_all_code_locations=True)
        def watched(context: dg.RunFailureSensorContext) -> None:
            return None

    else:

        @dg.run_status_sensor(run_status=dg.DagsterRunStatus.STARTED, name="watched")
        def watched(context: dg.RunStatusSensorContext) -> None:
            return None

    with pytest.raises(UnsupportedInputError, match=expected) as refused:
        _build(_defs_with(watched))
    assert "\n" not in str(refused.value)


def test_the_aws_variant_reads_sqs_and_lets_the_pod_decode_the_key() -> None:
    files = _build(events={"store": "aws-sqs", "queue": "new-objects", "region": "eu-central-1"})
    source = _doc(files, f"{NAME}.eventsource.yaml")
    sensor = _doc(files, f"{NAME}.sensor.yaml")
    assert source["spec"]["sqs"]["object-created"]["queue"] == "new-objects"
    assert source["spec"]["sqs"]["object-created"]["jsonBody"] is True
    paths = [f["path"] for f in sensor["spec"]["dependencies"][0]["filters"]["data"]]
    assert paths == ["body.Records.0.eventName", "body.Records.0.s3.bucket.name"]  # the key is URL-encoded
    assert "--object-key-encoding" in files["object-events.workflowtemplate.yaml"]
    for document in (source, sensor):
        assert events_schema_errors(document) == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda s: s["dependencies"][0]["filters"].update(exprs=[{"expr": "a", "fields": []}]), "data filters"),
        (lambda s: s["triggers"][0]["template"].update(conditions="newobject"), "conditions are not replayed"),
        (lambda s: _k8s(s).update(operation="update"), "only a trigger creating a Workflow"),
        (lambda s: _k8s(s)["parameters"][1]["src"].update(dataTemplate="{{ .Input.x }}"), "not the form"),
    ],
)
def test_run_events_refuses_what_it_cannot_evaluate(tmp_path: Path, mutate: Any, expected: str) -> None:
    from compiler.run_events.sensors import RunEventsError

    for name, text in _build().items():
        document = yaml.safe_load(text)
        if name.endswith(".sensor.yaml"):
            mutate(document["spec"])
        (tmp_path / name).write_text(yaml.safe_dump(document), encoding="utf-8")
    data = {"notification": [{"s3": {"bucket": {"name": "b"}, "object": {"key": "k", "eTag": "e"}}}]}
    with pytest.raises(RunEventsError, match=expected):
        _load_and_trigger(tmp_path, data)


def _load_and_trigger(directory: Path, data: dict[str, Any]) -> None:
    from compiler.run_events.sensors import load_sensors

    load_sensors(directory)[0].workflow(data)
