"""One sequence of materializations run through both sides of a multi-asset sensor: Dagster's own `evaluate_tick`
after each (cursor carried on), and the compiled side (run-local of each asset's job writes its marker into
SeaweedFS, then run-events fires whatever Sensor holds). Each side answers with the runs it started per step."""

from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from tests.compiler.events.replay_settings import replay_settings
from tests.compiler.events.test_object_sensor_replay import _client, _compiler


def dagster_runs_after_each(
    defs: dg.Definitions, sensor_name: str, sequence: Sequence[dg.AssetsDefinition]
) -> list[int]:
    """How many runs Dagster's sensor requests after each materialization of `sequence`, on one ephemeral instance."""
    repository = defs.get_repository_def()
    sensor = repository.get_sensor_def(sensor_name)
    runs, cursor = [], None
    with dg.DagsterInstance.ephemeral() as instance:
        for assets_def in sequence:
            assert dg.materialize([assets_def], instance=instance).success
            with dg.build_sensor_context(instance=instance, cursor=cursor, repository_def=repository) as context:
                result = sensor.evaluate_tick(context)
            cursor = result.cursor
            runs.append(len(result.run_requests or []))
    return runs


def compiled_runs_after_each(
    tmp_path: Path, s3_env: dict[str, str], module: str, name: str, entrypoints: Sequence[str]
) -> list[int]:
    """Build `module` as WorkflowTemplate `name`, then per entrypoint: run-local it, replay the events, and count the
    markers the started Workflows wrote (one per run)."""
    markers = tmp_path / "markers"
    (tmp_path / "pyproject.toml").write_text(replay_settings(name, s3_env, markers), encoding="utf-8")
    out = tmp_path / "out"
    settings = ["--settings", str(tmp_path / "pyproject.toml")]
    built = _compiler(["build", "--module", module, *settings, "--out", str(out)], s3_env, markers)
    assert built.returncode == 0, built.stderr
    _client(s3_env).make_bucket(s3_env["MINIO_BUCKET"])
    template = str(out / f"{name}.workflowtemplate.yaml")
    replay = ["run-events", str(out), "--endpoint", s3_env["MINIO_ENDPOINT"], "--state", str(tmp_path / "state.json")]
    compiled = []
    for entrypoint in entrypoints:
        ran = _compiler(["run-local", template, "--entrypoint", entrypoint], s3_env, markers)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        before = len(list(markers.iterdir())) if markers.exists() else 0
        replayed = _compiler(replay, s3_env, markers)
        assert replayed.returncode == 0, replayed.stdout + replayed.stderr
        compiled.append((len(list(markers.iterdir())) if markers.exists() else 0) - before)
    return compiled
