"""Acceptance: an @asset_sensor compiled to Argo Events. Dagster materializes `measurements` city by city and ticks
the sensor after each (its own evaluate_tick against its instance); the compiled side replays the measurements job
with run-local (its pod writes the "asset materialized" marker into the real SeaweedFS bucket), then run-events
delivers the markers to the compiled Sensor, whose Workflows' pods evaluate the same sensor body. Both request the
same partitions: a RunRequest per city, and no run for the city the body skips."""

import json
from pathlib import Path

import dagster as dg
import pytest

from tests.compiler.events.replay_settings import replay_settings
from tests.compiler.events.test_object_sensor_replay import _client, _compiler

MODULE = "tests.compiler.projects.asset_events"


def _dagster_requests() -> set[str]:
    """Dagster's answer: materialize each city, then tick the sensor as the daemon would, cursor carried on."""
    from tests.compiler.projects.asset_events import CITIES, defs, measurements

    repository = defs.get_repository_def()
    sensor = repository.get_sensor_def("summary_on_measurements")
    requested: set[str] = set()
    cursor = None
    with dg.DagsterInstance.ephemeral() as instance:
        for city in CITIES:
            assert dg.materialize([measurements], partition_key=city, instance=instance).success
            with dg.build_sensor_context(instance=instance, cursor=cursor, repository_def=repository) as context:
                result = sensor.evaluate_tick(context)
            cursor = result.cursor
            requested |= {str(request.partition_key) for request in result.run_requests or []}
    return requested


@pytest.mark.timeout(900)
def test_dagster_and_the_compiled_asset_sensor_request_the_same_runs(s3_env: dict[str, str], tmp_path: Path) -> None:
    from tests.compiler.projects.asset_events import CITIES

    markers = tmp_path / "markers"
    (tmp_path / "pyproject.toml").write_text(replay_settings("asset-events", s3_env, markers), encoding="utf-8")
    out = tmp_path / "out"
    settings = ["--settings", str(tmp_path / "pyproject.toml")]
    built = _compiler(["build", "--module", MODULE, *settings, "--out", str(out)], s3_env, markers)
    assert built.returncode == 0, built.stderr
    assert "sensor summary_on_measurements: its body runs in every step pod" in built.stderr
    _client(s3_env).make_bucket(s3_env["MINIO_BUCKET"])

    template = str(out / "asset-events.workflowtemplate.yaml")
    for city in CITIES:
        ran = _compiler(
            ["run-local", template, "--entrypoint", "job-measurements-job", "-p", f"partition={city}"], s3_env, markers
        )
        assert ran.returncode == 0, ran.stdout + ran.stderr
    replay = ["run-events", str(out), "--endpoint", s3_env["MINIO_ENDPOINT"], "--state", str(tmp_path / "state.json")]
    replayed = _compiler(replay, s3_env, markers)
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr

    materialized = {p.name.split("@", 1)[1] for p in markers.iterdir()} if markers.exists() else set()
    assert materialized == _dagster_requests()
    assert materialized == {"linz", "vienna"}  # graz: the body's SkipReason, on both sides
    state = json.loads((tmp_path / "state.json").read_text(encoding="utf-8"))
    assert len(state["workflows"]) == len(CITIES)  # one Workflow per materialization; graz's runs nothing

    again = _compiler(replay, s3_env, markers)  # the markers were seen: nothing new
    assert "0 Workflow(s) created" in again.stdout, again.stdout
