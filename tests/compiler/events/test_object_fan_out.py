"""A new_object_sensor whose target fans out: the Sensor starts `sensor-<sensor>`, whose fan-out task runs only the
object's item (compiler/builder/object_fan_out.py). The Sensor's dataTemplate, evaluated as Argo Events evaluates it
(run_events/go_regexp.py), names the item Dagster's own partition key has for the object; the replay against
SeaweedFS (one pod per object) is test_object_sensor_replay.py."""

from typing import Any

import dagster as dg
import pytest
import yaml

from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import compile_project
from compiler.run_events.go_regexp import replace_all
from compiler.sensors import new_object_sensor
from compiler.settings import parse_settings
from tests.compiler.events.events_schema import events_schema_errors
from tests.compiler.events.test_events_compile import NAME, SETTINGS
from tests.compiler.projects import object_events

KEYS = (
    "air_quality/city=vienna/date=2026-11-27/measurements.parquet",
    "air_quality/city=wiener neustadt/date=2026-11-28/measurements.parquet",
    "air_quality/x/city=graz/date=2026-11-29/y/city=vienna/date=2026-11-30/measurements.parquet",  # leftmost wins
)


def _files(defs: dg.Definitions = object_events.defs, **overrides: Any) -> dict[str, dict[str, Any]]:
    settings = parse_settings({**SETTINGS, **overrides})
    files = compile_project(project_from_definitions(object_events.__name__, defs), settings).all_files
    return {name: yaml.safe_load(text) for name, text in files.items() if name.endswith(".yaml")}


def _trigger(files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return files[f"{NAME}.sensor.yaml"]["spec"]["triggers"][0]["template"]["k8s"]


def _dag(files: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    templates = files["object-events.workflowtemplate.yaml"]["spec"]["templates"]
    return next(t for t in templates if t["name"] == name)


def _event(key: str) -> dict[str, Any]:
    s3 = {"bucket": {"name": "air-quality"}, "object": {"key": key, "eTag": "e1"}}
    return {"notification": [{"eventName": "s3:ObjectCreated:Put", "s3": s3}]}


def test_the_sensor_starts_its_own_entrypoint_whose_fan_out_runs_only_the_objects_item() -> None:
    files = _files()
    trigger = _trigger(files)
    workflow = trigger["source"]["resource"]["spec"]
    assert workflow["entrypoint"] == "sensor-new-measurements"
    fan_out = _dag(files, "sensor-new-measurements")["dag"]["tasks"][0]
    assert fan_out["withItems"] == list(object_events.CITIES)
    assert fan_out["when"] == "'{{item}}' == '{{workflow.parameters.object-static-key}}'"
    job = _dag(files, "job-summary-job")["dag"]["tasks"][0]
    assert "when" not in job  # a manual or scheduled run of the job: every key
    assert job["withItems"] == fan_out["withItems"]
    declared = {p["name"] for p in files["object-events.workflowtemplate.yaml"]["spec"]["arguments"]["parameters"]}
    assert "object-static-key" in declared
    assert events_schema_errors(files[f"{NAME}.sensor.yaml"]) == []


@pytest.mark.parametrize("key", KEYS)
def test_the_sensors_item_is_the_static_part_of_dagsters_partition_key(key: str) -> None:
    """run-events evaluates the compiled trigger; Dagster's sensor rule gives the partition, whose `city` dimension
    (Dagster's own MultiPartitionKey) is the item that must run."""
    from compiler.run_events.sensors import resolve_source

    parameter = _trigger(_files())["parameters"][2]
    assert parameter["dest"] == "spec.arguments.parameters.2.value"
    item = resolve_source(parameter["src"], _event(key))
    partition = object_events.by_city_and_day.get_partition_key_from_str(_dagster_partition(key))
    assert item == partition.keys_by_dimension["city"]


def _dagster_partition(key: str) -> str:
    from compiler.sensors.object_sensor import read_object_sensor

    spec = read_object_sensor(object_events.new_measurements)
    assert spec is not None
    partition = spec.rule.partition_key(key)
    assert partition is not None
    return partition


def test_static_by_static_items_are_whole_keys_in_dimension_name_order() -> None:
    both = dg.MultiPartitionsDefinition(
        {"zone": dg.StaticPartitionsDefinition(["east", "west"]), "city": dg.StaticPartitionsDefinition(["graz"])}
    )

    @dg.asset(partitions_def=both)
    def report() -> None: ...

    job = dg.define_asset_job("report_job", selection=[report], partitions_def=both)
    sensor = new_object_sensor(
        "new_measurements",
        target=job,
        bucket="air-quality",
        partition_key=r"zone=(?P<zone>[a-z]+)/city=(?P<city>[a-z]+)/",
    )
    files = _files(dg.Definitions(assets=[report], jobs=[job], sensors=[sensor]))
    from compiler.run_events.sensors import resolve_source

    item = resolve_source(_trigger(files)["parameters"][2]["src"], _event("zone=west/city=graz/r.csv"))
    assert item == str(dg.MultiPartitionKey({"zone": "west", "city": "graz"}))  # Dagster's own string form
    assert item in _dag(files, "sensor-new-measurements")["dag"]["tasks"][0]["withItems"]


def test_sqs_keeps_the_job_entrypoint_every_item_skipping_in_its_pod() -> None:
    """S3 URL-encodes the key in SQS records; a Go template cannot decode it, so the item is left to the pods."""
    files = _files(events={"store": "aws-sqs", "queue": "new-objects", "region": "eu-central-1"})
    trigger = _trigger(files)
    assert trigger["source"]["resource"]["spec"]["entrypoint"] == "job-summary-job"
    assert len(trigger["parameters"]) == 2
    assert not any(
        t["name"].startswith("sensor-") for t in files["object-events.workflowtemplate.yaml"]["spec"]["templates"]
    )


@pytest.mark.parametrize(
    ("pattern", "text", "replacement", "expected"),
    [
        (r"^(?s:.*?)(?:c=(?P<city>[^/]+)/)(?s:.*)$", "a/c=graz/x", "${city}", "graz"),
        # Go's `$` is the end of the text only: a key ending in a newline does not match, the key stays as it is
        (r"^(?:c=(?P<city>[a-z]+))$", "c=graz\n", "${city}", "c=graz\n"),
        (r"^(?:c=(?P<city>[^/]+))?(?s:.*)$", "x", "[${city}]", "[]"),  # a group that did not take part: nothing
        (r"^(?P<a>x)(?P<b>y)$", "xy", "${b}|$a$$", "y|x$"),  # $name, ${name}, $$
        (r"^(?P<a>x)$", "x", "${missing}$1", "x"),  # a name the pattern lacks expands to nothing; $1 by number
    ],
)
def test_replace_all_follows_go(pattern: str, text: str, replacement: str, expected: str) -> None:
    assert replace_all(pattern, text, replacement) == expected
