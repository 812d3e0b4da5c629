"""Run config reaches the pods as Dagster builds it: for each source (a manual submit's `-p run_config=...`, a job's
`config=` defaults, a schedule's `run_config` for the tick, a job's `PartitionedConfig` for the partition, an
`EnvVar` in the config) replaying the compiled YAML with run-local stores exactly what Dagster's own in-process run
of the same job with the same config stores; invalid config fails the pod with exit 2 and Dagster's own error."""

import os
import pickle
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml

from tests.compiler.run_local.replay_support import SETTINGS, build, compiler, load_yaml, shapes_env, written_keys

MODULE = "tests.compiler.projects.run_config"
SUBMITTED = {"ops": {"scaled": {"config": {"factor": 5, "label": 'quoted "label"\nand a second line'}}}}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("run-config")
    # SCALE_LABEL, which an EnvVar in the submitted config names, reaches the pods as a ConfigMap key: by name
    result = build(
        MODULE, root, SETTINGS.replace('config_keys = ["SHAPES_DIR"]', 'config_keys = ["SHAPES_DIR", "SCALE_LABEL"]')
    )
    assert result.returncode == 0, result.stderr
    return root / "out" / "shapes.workflowtemplate.yaml"


def _replay(template: Path, directory: Path, *extra: str, env: dict[str, str] | None = None) -> Any:
    arguments = ["run-local", str(template), "--backoff-scale", "0", *extra]
    # run-local gives a pod a ConfigMap key from the variable of that name: one set for every replay
    return compiler(arguments, {**shapes_env(directory), "SCALE_LABEL": "not read", **(env or {})})


def _dagster(directory: Path, job: str, **execute: Any) -> set[str]:
    """Dagster's own answer: the job executed in process with the same config and IO manager."""
    os.environ["SHAPES_DIR"] = str(directory)
    try:
        from tests.compiler.projects.run_config import defs

        result = defs.resolve_job_def(job).execute_in_process(instance=dg.DagsterInstance.ephemeral(), **execute)
        assert result.success
        return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events() if e.asset_key}
    finally:
        del os.environ["SHAPES_DIR"]


def _same_storage(replay_dir: Path, direct_dir: Path, direct: set[str]) -> None:
    stored = written_keys(direct_dir)
    assert written_keys(replay_dir) == stored
    assert {key.split("/")[0] for key in stored} == direct  # partitioned assets store <asset>/<partition>
    for key in stored:  # the same values stored (pickles of the same objects)
        assert (replay_dir / key).read_bytes() == (direct_dir / key).read_bytes(), key


def _stored(directory: Path, key: str) -> Any:
    return pickle.loads((directory / key).read_bytes())  # noqa: S301 - the test's own files


def test_the_workflow_template_offers_run_config(built: Path) -> None:
    spec = load_yaml(built)["spec"]
    assert {"name": "run_config", "value": ""} in spec["arguments"]["parameters"]


@pytest.mark.parametrize("as_json", [False, True])
def test_a_manual_submit_passes_run_config_as_yaml_or_json(built: Path, tmp_path: Path, as_json: bool) -> None:
    text = yaml.safe_dump(SUBMITTED) if not as_json else __import__("json").dumps(SUBMITTED)
    replay = _replay(built, tmp_path / "replay", "--entrypoint", "job-plain", "-p", f"run_config={text}")
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-2000:]
    direct = _dagster(tmp_path / "direct", "plain", run_config=SUBMITTED)
    _same_storage(tmp_path / "replay", tmp_path / "direct", direct)
    assert _stored(tmp_path / "replay", "scaled")["values"] == [5, 10, 15]


def test_a_jobs_config_dict_gives_the_defaults(built: Path, tmp_path: Path) -> None:
    replay = _replay(built, tmp_path / "replay", "--entrypoint", "job-tripled")
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-2000:]
    direct = _dagster(tmp_path / "direct", "tripled")
    _same_storage(tmp_path / "replay", tmp_path / "direct", direct)
    assert _stored(tmp_path / "replay", "scaled")["values"] == [3, 6, 9]


def test_a_submitted_run_config_replaces_the_jobs_config(built: Path, tmp_path: Path) -> None:
    text = yaml.safe_dump(SUBMITTED)
    replay = _replay(built, tmp_path / "replay", "--entrypoint", "job-tripled", "-p", f"run_config={text}")
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-2000:]
    direct = _dagster(tmp_path / "direct", "tripled", run_config=SUBMITTED)
    _same_storage(tmp_path / "replay", tmp_path / "direct", direct)


def test_a_schedules_run_config_for_the_tick(built: Path, tmp_path: Path) -> None:
    """Each pod evaluates the schedule for the same tick, as Dagster's scheduler does once for the run."""
    tick = datetime(2026, 3, 4, 7, tzinfo=UTC)
    replay = _replay(
        built,
        tmp_path / "replay",
        "--entrypoint",
        "job-plain",
        "-p",
        "schedule=hourly_factor",
        "--scheduled-time",
        tick.isoformat().replace("+00:00", "Z"),
    )
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-2000:]
    from tests.compiler.projects.run_config import defs

    repository = defs.get_repository_def()
    with dg.build_schedule_context(scheduled_execution_time=tick, repository_def=repository) as context:
        [request] = repository.get_schedule_def("hourly_factor").evaluate_tick(context).run_requests or []
    direct = _dagster(tmp_path / "direct", "plain", run_config=request.run_config)
    _same_storage(tmp_path / "replay", tmp_path / "direct", direct)
    assert _stored(tmp_path / "replay", "scaled") == {"values": [8, 16, 24], "label": "tick"}


def test_partitioned_config_for_a_submitted_partition(built: Path, tmp_path: Path) -> None:
    replay = _replay(built, tmp_path / "replay", "--entrypoint", "job-daily", "-p", "partition=2026-03-17")
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-2000:]
    direct = _dagster(tmp_path / "direct", "daily", partition_key="2026-03-17")
    _same_storage(tmp_path / "replay", tmp_path / "direct", direct)
    assert _stored(tmp_path / "replay", "daily_scaled/2026-03-17") == {"factor": 17, "label": "day 2026-03-17"}


def test_partitioned_config_for_a_scheduled_tick(built: Path, tmp_path: Path) -> None:
    """build_schedule_from_partitioned_job: Dagster resolves the request's config from the PartitionedConfig."""
    replay = _replay(
        built,
        tmp_path / "replay",
        "--entrypoint",
        "job-daily",
        "-p",
        "schedule=daily_schedule",
        "--scheduled-time",
        "2026-03-18T01:00:00Z",
    )
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-2000:]
    direct = _dagster(tmp_path / "direct", "daily", partition_key="2026-03-17")
    _same_storage(tmp_path / "replay", tmp_path / "direct", direct)


def test_static_partitioned_config_per_fanned_out_key(built: Path, tmp_path: Path) -> None:
    """Each fan-out pod gets the config of its own static key, as Dagster's run for that partition does."""
    replay = _replay(built, tmp_path / "replay", "--entrypoint", "job-cities")
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-2000:]
    direct = set()
    for key in ("graz", "wien"):
        direct |= _dagster(tmp_path / "direct", "cities", partition_key=key)
    _same_storage(tmp_path / "replay", tmp_path / "direct", direct)
    assert _stored(tmp_path / "replay", "city_scaled/wien") == {"factor": 4, "label": "wien"}


def test_an_env_var_in_run_config_resolves_in_the_pod(built: Path, tmp_path: Path) -> None:
    secret = "s3cr3t-label-value"
    config = {"ops": {"scaled": {"config": {"factor": 2, "label": {"env": "SCALE_LABEL"}}}}}
    replay = _replay(
        built,
        tmp_path / "replay",
        "--entrypoint",
        "job-plain",
        "-p",
        f"run_config={yaml.safe_dump(config)}",
        env={"SCALE_LABEL": secret},
    )
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-2000:]
    assert _stored(tmp_path / "replay", "scaled") == {"values": [2, 4, 6], "label": secret}
    assert secret not in replay.stdout + replay.stderr
    assert secret not in built.read_text(encoding="utf-8")


def test_a_fused_chain_gets_the_same_config(tmp_path: Path) -> None:
    """Step fusion runs numbers → scaled in one pod: that pod's run gets the config of both ops."""
    root = tmp_path / "fused"
    root.mkdir()
    settings = SETTINGS.replace("\n[tool.compiler]\n", "\n[tool.compiler]\nfuse_chains = true\n")
    assert "fuse_chains = true" in settings
    assert build(MODULE, root, settings).returncode == 0
    template = root / "out" / "shapes.workflowtemplate.yaml"
    assert '"--fused"' in template.read_text(encoding="utf-8")
    replay = _replay(
        template, tmp_path / "replay", "--entrypoint", "job-tripled", "-p", f"run_config={yaml.safe_dump(SUBMITTED)}"
    )
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-2000:]
    direct = _dagster(tmp_path / "direct", "tripled", run_config=SUBMITTED)
    _same_storage(tmp_path / "replay", tmp_path / "direct", direct)


def test_invalid_run_config_fails_the_pod_with_dagsters_error(built: Path, tmp_path: Path) -> None:
    config = {"ops": {"scaled": {"config": {"factor": "many"}}}}
    replay = _replay(
        built, tmp_path / "replay", "--entrypoint", "job-plain", "-p", f"run_config={yaml.safe_dump(config)}"
    )
    assert replay.returncode != 0
    from tests.compiler.projects.run_config import defs

    with pytest.raises(dg.DagsterInvalidConfigError) as dagster_error:
        defs.resolve_job_def("plain").execute_in_process(run_config=config)
    [error] = dagster_error.value.errors
    assert " ".join(error.message.split()) in replay.stdout  # Dagster's own words: which field, what type
    assert "exit code 2" in replay.stdout or "exit 2" in replay.stdout
    assert written_keys(tmp_path / "replay") == set()  # nothing ran, as Dagster runs nothing


def test_required_config_missing_on_a_manual_submit_fails_as_in_dagster(built: Path, tmp_path: Path) -> None:
    replay = _replay(built, tmp_path / "replay", "--entrypoint", "job-plain")
    assert replay.returncode != 0
    assert 'Missing required config entry "ops" at the root' in replay.stdout
    assert written_keys(tmp_path / "replay") == set()
