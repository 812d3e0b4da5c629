"""`main` over static fan-outs of two cadences (tests/compiler/projects/cadence_fan_out.py) replayed with
`run-local` against SeaweedFS: the planning task lists, by Dagster's mapping, the full (city × window) keys the
tick's (city × day) partitions read, one per city the daily schedule requests, the 6-hourly step fans out over them
(`partition: {{item}}`, every dimension in the item) before the daily per-city DAGs, and the stored objects are those
of Dagster's runs of the same partitions."""

import os
import re
from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest

from devservices.s3.seaweed import SeaweedS3
from tests.compiler.run_local.dynamic_support import SETTINGS, stored
from tests.compiler.support import REPO, compiler_process

MODULE = "tests.compiler.projects.cadence_fan_out"
TICK = "2026-11-29T00:00:00Z"  # 01:00 in Vienna: the daily schedule requests 2026-11-28 for each city


def _defs() -> dg.Definitions:
    from tests.compiler.projects.cadence_fan_out import defs

    return defs


def _requested(schedule: str) -> list[str]:
    """Dagster's answer: the partitions the schedule requests for TICK (one per city)."""
    repository = _defs().get_repository_def()
    at = datetime.fromisoformat(TICK)
    with dg.build_schedule_context(scheduled_execution_time=at, repository_def=repository) as context:
        requests = repository.get_schedule_def(schedule).evaluate_tick(context).run_requests or []
    return [str(request.partition_key) for request in requests]


def _mapped(keys: list[str]) -> set[str]:
    """Dagster's mapping of `city_days` partitions onto `city_quarters`."""
    graph = _defs().resolve_asset_graph()
    child, parent = dg.AssetKey("city_days"), dg.AssetKey("city_quarters")
    child_def, parent_def = graph.get(child).partitions_def, graph.get(parent).partitions_def
    assert child_def is not None
    assert parent_def is not None
    result = graph.get_partition_mapping(child, parent).get_upstream_mapped_partitions_result_for_partitions(
        child_def.subset_with_partition_keys(keys), child_def, parent_def
    )
    return {str(key) for key in result.partitions_subset.get_partition_keys()}


@pytest.mark.timeout(1200)
def test_main_plans_a_fanned_out_upstream_over_full_multi_partition_keys(
    seaweed: SeaweedS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), **seaweed.env(f"cadence-fan-{os.getpid()}")}
    (tmp_path / "pyproject.toml").write_text(SETTINGS.replace('name = "dynamic"', 'name = "fan"'), "utf-8")
    out = tmp_path / "out"
    built = compiler_process(
        ["build", "--module", MODULE, "--settings", str(tmp_path / "pyproject.toml"), "--out", str(out)], REPO, env
    )
    assert built.returncode == 0, built.stderr
    assert "warning:" not in built.stderr  # the dependency of another cadence is planned in `main`
    arguments = ["run-local", str(out / "fan.workflowtemplate.yaml"), "--scheduled-time", TICK]
    replay = compiler_process([*arguments, "--max-parallel", "4", "--backoff-scale", "0"], REPO, env, timeout=1000)
    output = replay.stdout + replay.stderr
    assert replay.returncode == 0, output[-3000:]

    days = _requested("city_days_job_schedule")
    assert len(days) == 2  # one per city
    windows = _mapped(days)
    assert len(windows) == 8  # 4 windows of the day × 2 cities
    fanned = re.findall(r"^✔ city-quarters-for-city-days\(\d+:([^)]+)\) ", output, re.MULTILINE)
    assert sorted(fanned) == sorted(windows)

    dagster_env = seaweed.env(f"cadence-fan-dagster-{os.getpid()}")
    for name, value in dagster_env.items():
        monkeypatch.setenv(name, value)
    defs = _defs()
    for key in sorted(windows | set(_requested("city_quarters_job_schedule"))):
        assert defs.resolve_job_def("city_quarters_job").execute_in_process(partition_key=key).success
    for key in days:
        assert defs.resolve_job_def("city_days_job").execute_in_process(partition_key=key).success
    dagster = stored({**os.environ, **dagster_env})
    assert {name.split("/")[1] for name in dagster} == {"city_quarters", "city_days"}
    assert stored(env) == dagster
