"""`build` of an @asset_sensor (compiler/builder/asset_triggers.py): an EventSource on the monitored asset's marker
prefix and a Sensor starting the sensor's job, byte-stable and valid against Argo Events' schema; the marker key
format round-trips every partition key; refusals name the sensor; the pod's evaluation of the body answers as
Dagster's own tick does for the same materialization."""

from typing import Any

import dagster as dg
import pytest
import yaml

from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import compile_project
from compiler.errors import UnsupportedInputError
from compiler.materialize.asset_events import SensorSkipped, request_for_marker
from compiler.sensors.asset_events import marker_key, marker_prefix, read_marker
from compiler.settings import parse_settings
from tests.compiler.events.events_schema import events_schema_errors
from tests.compiler.events.test_events_compile import SETTINGS
from tests.compiler.projects import asset_events

NAME = "object-events-summary-on-measurements"


def _files(defs: dg.Definitions = asset_events.defs, **overrides: Any) -> dict[str, str]:
    settings = parse_settings({**SETTINGS, **overrides})
    return compile_project(project_from_definitions(asset_events.__name__, defs), settings).all_files


def test_the_asset_sensor_compiles_to_an_eventsource_on_its_markers_and_a_sensor_starting_its_job() -> None:
    files = _files()
    assert files == _files()  # determinism
    source = yaml.safe_load(files[f"{NAME}.eventsource.yaml"])
    sensor = yaml.safe_load(files[f"{NAME}.sensor.yaml"])
    minio = source["spec"]["minio"]["object-created"]
    assert minio["filter"] == {"prefix": marker_prefix(("measurements",)), "suffix": ".json"}
    assert minio["bucket"]["name"] == SETTINGS["config"]["MINIO_BUCKET"]
    workflow = sensor["spec"]["triggers"][0]["template"]["k8s"]["source"]["resource"]["spec"]
    assert workflow["entrypoint"] == "job-summary-job"
    assert {"name": "sensor", "value": "summary_on_measurements"} in workflow["arguments"]["parameters"]
    for document in (source, sensor):
        assert events_schema_errors(document) == []


@pytest.mark.parametrize("partition", [None, "vienna", "a/b", "vienna|2026-11-29", "2026-10-25-02:00+0100", "p=x"])
def test_marker_keys_round_trip_every_partition_key(partition: str | None) -> None:
    key = marker_key(("air", "measurements"), partition, "run1")
    assert key.startswith(marker_prefix(("air", "measurements")))
    marker = read_marker(key)
    assert marker is not None
    assert marker.asset_path == ("air", "measurements")
    assert marker.partition == partition


def test_a_sensor_on_an_asset_no_step_materializes_is_refused() -> None:
    external = dg.AssetSpec("upstream_elsewhere")

    @dg.asset_sensor(asset_key=external.key, job=asset_events.summary_job)
    def on_elsewhere(context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry) -> dg.RunRequest:
        return dg.RunRequest()

    defs = dg.Definitions(
        assets=[external, asset_events.measurements, asset_events.summary],
        jobs=[asset_events.summary_job],
        sensors=[on_elsewhere],
    )
    with pytest.raises(UnsupportedInputError, match="sensor on_elsewhere: monitors upstream_elsewhere, which no"):
        _files(defs)


def test_without_the_bucket_setting_the_refusal_says_where_the_markers_go() -> None:
    config = {k: v for k, v in SETTINGS["config"].items() if k != "MINIO_BUCKET"}
    with pytest.raises(UnsupportedInputError, match="sensor summary_on_measurements: an @asset_sensor's events"):
        _files(config=config)


@pytest.mark.parametrize("city", asset_events.CITIES)
def test_the_pods_evaluation_of_a_marker_is_dagsters_tick_for_that_materialization(city: str) -> None:
    defs = asset_events.defs
    repository = defs.get_repository_def()
    with dg.DagsterInstance.ephemeral() as instance:
        assert dg.materialize([asset_events.measurements], partition_key=city, instance=instance).success
        with dg.build_sensor_context(instance=instance, repository_def=repository) as context:
            dagster = repository.get_sensor_def("summary_on_measurements").evaluate_tick(context)
    marker = marker_key(("measurements",), city, "run1")
    if not dagster.run_requests:
        with pytest.raises(SensorSkipped, match=dagster.skip_message or "no run"):
            request_for_marker(defs, "summary_on_measurements", marker)
        return
    [request] = dagster.run_requests
    assert request_for_marker(defs, "summary_on_measurements", marker) == request.partition_key


def test_with_secrets_per_asset_the_monitored_assets_pod_still_gets_the_store_credentials() -> None:
    """Its pod writes the marker; the summary's pod, which monitors nothing and reads no store, gets no Secret."""
    template = yaml.safe_load(_files(secrets_per_asset=True)["object-events.workflowtemplate.yaml"])
    secrets_by_step = {}
    for step in template["spec"]["templates"]:
        if "container" in step:
            env = step["container"].get("env") or []
            secrets_by_step[step["name"]] = {e["name"] for e in env if (e.get("valueFrom") or {}).get("secretKeyRef")}
    with_store = [name for name, names in secrets_by_step.items() if "MINIO_SECRET_KEY" in names]
    assert with_store
    assert all("measurements" in name for name in with_store), secrets_by_step
