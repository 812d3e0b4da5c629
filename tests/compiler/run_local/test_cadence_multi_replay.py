"""`main` over multi-assets of two cadences (tests/compiler/projects/cadence_multi.py) replayed with `run-local`
against SeaweedFS: the daily op's planning task lists, by Dagster's mappings, the 6-hourly windows its keys read
(the union over `day_temp` and `day_wind`), the 6-hourly op's step fans out over them once per window (both of its
assets in each pod), and the stored objects are those of Dagster's runs of the same partitions."""

import os
import re
from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest

from devservices.s3.seaweed import SeaweedS3
from tests.compiler.run_local.dynamic_support import SETTINGS, stored
from tests.compiler.support import REPO, compiler_process

MODULE = "tests.compiler.projects.cadence_multi"
TICK = "2026-11-29T00:00:00Z"  # 01:00 in Vienna: the daily schedule requests 2026-11-28


def _defs() -> dg.Definitions:
    from tests.compiler.projects.cadence_multi import defs

    return defs


def _requested(schedule: str) -> str:
    """Dagster's answer: the partition the schedule requests for TICK."""
    repository = _defs().get_repository_def()
    at = datetime.fromisoformat(TICK)
    with dg.build_schedule_context(scheduled_execution_time=at, repository_def=repository) as context:
        [request] = repository.get_schedule_def(schedule).evaluate_tick(context).run_requests or []
    assert request.partition_key is not None
    return request.partition_key


def _mapped(child: str, parent: str, key: str) -> set[str]:
    """Dagster's mapping of `child`'s partition `key` onto `parent`."""
    graph = _defs().resolve_asset_graph()
    child_def = graph.get(dg.AssetKey(child)).partitions_def
    parent_def = graph.get(dg.AssetKey(parent)).partitions_def
    assert child_def is not None
    assert parent_def is not None
    mapping = graph.get_partition_mapping(dg.AssetKey(child), dg.AssetKey(parent))
    result = mapping.get_upstream_mapped_partitions_result_for_partitions(
        child_def.subset_with_partition_keys([key]), child_def, parent_def
    )
    return set(result.partitions_subset.get_partition_keys())


@pytest.mark.timeout(1200)
def test_main_plans_a_multi_assets_step_once_per_partition_its_downstream_reads(
    seaweed: SeaweedS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), **seaweed.env(f"cadence-multi-{os.getpid()}")}
    (tmp_path / "pyproject.toml").write_text(SETTINGS.replace('name = "dynamic"', 'name = "multi"'), "utf-8")
    out = tmp_path / "out"
    built = compiler_process(
        ["build", "--module", MODULE, "--settings", str(tmp_path / "pyproject.toml"), "--out", str(out)], REPO, env
    )
    assert built.returncode == 0, built.stderr
    assert "warning:" not in built.stderr  # the dependency of another cadence is planned in `main`
    arguments = ["run-local", str(out / "multi.workflowtemplate.yaml"), "--scheduled-time", TICK]
    replay = compiler_process([*arguments, "--max-parallel", "4", "--backoff-scale", "0"], REPO, env, timeout=1000)
    output = replay.stdout + replay.stderr
    assert replay.returncode == 0, output[-3000:]

    window = _requested("quarter_readings_job_schedule")
    day = _requested("day_stats_job_schedule")
    windows = _mapped("day_temp", "quarter_temp", day) | _mapped("day_wind", "quarter_wind", day)
    assert len(windows) == 4
    fanned = re.findall(r"^✔ quarter-readings-for-day-stats\(\d+:([0-9:-]+)\) ", output, re.MULTILINE)
    assert sorted(fanned) == sorted(windows)  # each window once, though both of the op's assets read it

    dagster_env = seaweed.env(f"cadence-multi-dagster-{os.getpid()}")
    for name, value in dagster_env.items():
        monkeypatch.setenv(name, value)
    defs = _defs()
    for key in sorted(windows | {window}):
        assert defs.resolve_job_def("quarter_readings_job").execute_in_process(partition_key=key).success
    assert defs.resolve_job_def("day_stats_job").execute_in_process(partition_key=day).success
    dagster = stored({**os.environ, **dagster_env})
    assert {name.split("/")[1] for name in dagster} == {"quarter_temp", "quarter_wind", "day_temp", "day_wind"}
    assert stored(env) == dagster
