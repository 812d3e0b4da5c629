"""A @multi_asset_sensor monitoring one asset (the pattern of Dagster's declarative-automation migration docs) is the
all-updated pattern over one asset: one Sensor dependency, a run after each materialization. The same sequence of
materializations runs through Dagster (its own evaluate_tick after each, cursor carried on) and through the compiled
side (run-local of the asset's job writes its marker into SeaweedFS; run-events fires the Sensor): both start the job
after the same materializations."""

from pathlib import Path

import dagster as dg
import pytest

from tests.compiler.events.replay_settings import replay_settings
from tests.compiler.events.test_object_sensor_replay import _client, _compiler

MODULE = "tests.compiler.projects.single_multi_asset_events"
SEQUENCE = ("raw", "raw")


def _dagster_runs_after_each() -> list[int]:
    from tests.compiler.projects.single_multi_asset_events import defs, raw_data

    repository = defs.get_repository_def()
    sensor = repository.get_sensor_def("process_when_raw_updated")
    runs, cursor = [], None
    with dg.DagsterInstance.ephemeral() as instance:
        for _ in SEQUENCE:
            assert dg.materialize([raw_data], instance=instance).success
            with dg.build_sensor_context(instance=instance, cursor=cursor, repository_def=repository) as context:
                result = sensor.evaluate_tick(context)
            cursor = result.cursor
            runs.append(len(result.run_requests or []))
    return runs


@pytest.mark.timeout(900)
def test_dagster_and_the_compiled_one_asset_sensor_run_after_the_same_updates(
    s3_env: dict[str, str], tmp_path: Path
) -> None:
    markers = tmp_path / "markers"
    (tmp_path / "pyproject.toml").write_text(replay_settings("single-events", s3_env, markers), encoding="utf-8")
    out = tmp_path / "out"
    settings = ["--settings", str(tmp_path / "pyproject.toml")]
    built = _compiler(["build", "--module", MODULE, *settings, "--out", str(out)], s3_env, markers)
    assert built.returncode == 0, built.stderr
    _client(s3_env).make_bucket(s3_env["MINIO_BUCKET"])
    template = str(out / "single-events.workflowtemplate.yaml")
    replay = ["run-events", str(out), "--endpoint", s3_env["MINIO_ENDPOINT"], "--state", str(tmp_path / "state.json")]
    compiled = []
    for _ in SEQUENCE:
        ran = _compiler(["run-local", template, "--entrypoint", "job-raw-job"], s3_env, markers)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        before = len(list(markers.iterdir())) if markers.exists() else 0
        replayed = _compiler(replay, s3_env, markers)
        assert replayed.returncode == 0, replayed.stdout + replayed.stderr
        compiled.append((len(list(markers.iterdir())) if markers.exists() else 0) - before)
    dagster = _dagster_runs_after_each()
    assert compiled == dagster
    assert dagster == [1, 1]  # a run after each materialization, as an @asset_sensor on raw_data would request
