"""Acceptance: an all-updated @multi_asset_sensor compiled to one Argo Events Sensor with a dependency per monitored
asset and `conditions: "m0 && m1"`. The same sequence of materializations (air; weather; weather again; air) runs
through Dagster (its own evaluate_tick after each, cursor carried on) and through the compiled side (run-local of the
asset's job writes its marker into SeaweedFS; run-events holds each dependency's latest event until the conditions
hold, as Argo Events does): both start the report job after the same materializations."""

import json
from pathlib import Path

import dagster as dg
import pytest

from tests.compiler.events.replay_settings import replay_settings
from tests.compiler.events.test_object_sensor_replay import _client, _compiler

MODULE = "tests.compiler.projects.multi_asset_events"
SEQUENCE = ("air", "weather", "weather", "air")


def _dagster_runs_after_each() -> list[int]:
    from tests.compiler.projects.multi_asset_events import air, defs, weather

    repository = defs.get_repository_def()
    sensor = repository.get_sensor_def("report_when_both_updated")
    assets = {"air": air, "weather": weather}
    runs, cursor = [], None
    with dg.DagsterInstance.ephemeral() as instance:
        for name in SEQUENCE:
            assert dg.materialize([assets[name]], instance=instance).success
            with dg.build_sensor_context(instance=instance, cursor=cursor, repository_def=repository) as context:
                result = sensor.evaluate_tick(context)
            cursor = result.cursor
            runs.append(len(result.run_requests or []))
    return runs


@pytest.mark.timeout(900)
def test_dagster_and_the_compiled_multi_asset_sensor_run_after_the_same_updates(
    s3_env: dict[str, str], tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    (tmp_path / "pyproject.toml").write_text(replay_settings("multi-events", s3_env, markers), encoding="utf-8")
    out = tmp_path / "out"
    settings = ["--settings", str(tmp_path / "pyproject.toml")]
    built = _compiler(["build", "--module", MODULE, *settings, "--out", str(out)], s3_env, markers)
    assert built.returncode == 0, built.stderr
    _client(s3_env).make_bucket(s3_env["MINIO_BUCKET"])
    template = str(out / "multi-events.workflowtemplate.yaml")
    state = tmp_path / "state.json"
    replay = ["run-events", str(out), "--endpoint", s3_env["MINIO_ENDPOINT"], "--state", str(state)]
    compiled = []
    for name in SEQUENCE:
        ran = _compiler(["run-local", template, "--entrypoint", f"job-{name}-job"], s3_env, markers)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        before = len(list(markers.iterdir())) if markers.exists() else 0
        replayed = _compiler(replay, s3_env, markers)
        assert replayed.returncode == 0, replayed.stdout + replayed.stderr
        compiled.append((len(list(markers.iterdir())) if markers.exists() else 0) - before)
    dagster = _dagster_runs_after_each()
    assert compiled == dagster
    assert dagster == [0, 1, 0, 1]  # both updated: after weather, then after air again (not the second weather)
    held = json.loads(state.read_text(encoding="utf-8")).get("held", {})
    assert not any(held.values())  # the trigger fired last and cleared what it held
