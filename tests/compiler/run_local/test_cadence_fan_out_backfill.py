"""`compiler backfill` of a time × static job whose assets read another cadence (tests/compiler/projects/
cadence_fan_out.py: 6-hourly × city → daily × city), replayed with `run-local` against the real SeaweedFS: the
planning task lists, by Dagster's mapping, the full (city × window) keys the whole range of (city × day) partitions
reads, the 6-hourly step fans out over them (each once, every dimension in the item) before the per-day runs of the
job's per-city DAGs. Compared with Dagster in process materializing the same partitions in dependency order (what its
backfill over both assets builds) on a bucket of its own; stored objects are compared byte for byte."""

import os
import re
from pathlib import Path

import dagster as dg
import pytest

from devservices.s3.seaweed import SeaweedS3
from tests.compiler.run_local.backfill_support import replay_backfill
from tests.compiler.run_local.dynamic_support import SETTINGS, stored
from tests.compiler.support import REPO

MODULE = "tests.compiler.projects.cadence_fan_out"
DAYS = ("2026-11-20", "2026-11-21")


def _defs() -> dg.Definitions:
    from tests.compiler.projects.cadence_fan_out import defs

    return defs


def _range() -> list[str]:
    """Dagster's answer: the (city × day) partitions of `city_days` whose day is in DAYS (every city)."""
    definition = _defs().resolve_asset_graph().get(dg.AssetKey("city_days")).partitions_def
    assert isinstance(definition, dg.MultiPartitionsDefinition)
    time = definition.time_window_dimension.name
    keys = [definition.get_partition_key_from_str(key) for key in definition.get_partition_keys()]
    return [str(key) for key in keys if key.keys_by_dimension[time] in DAYS]


def _mapped(keys: list[str]) -> set[str]:
    """Dagster's mapping of those `city_days` partitions onto `city_quarters`."""
    graph = _defs().resolve_asset_graph()
    child, parent = dg.AssetKey("city_days"), dg.AssetKey("city_quarters")
    child_def, parent_def = graph.get(child).partitions_def, graph.get(parent).partitions_def
    assert child_def is not None
    assert parent_def is not None
    result = graph.get_partition_mapping(child, parent).get_upstream_mapped_partitions_result_for_partitions(
        child_def.subset_with_partition_keys(keys), child_def, parent_def
    )
    return {str(key) for key in result.partitions_subset.get_partition_keys()}


def _settings(tmp_path: Path) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(SETTINGS.replace('name = "dynamic"', 'name = "fan"'), encoding="utf-8")
    return path


@pytest.mark.timeout(1500)
def test_a_backfill_of_a_fanned_out_job_builds_every_city_window_the_range_reads_first(
    seaweed: SeaweedS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), **seaweed.env(f"cadence-fan-backfill-{os.getpid()}")}
    settings = _settings(tmp_path)
    replayed = replay_backfill(tmp_path, env, MODULE, settings, "city_days_job_schedule", (DAYS[0], DAYS[-1]), 2, 4)
    assert "fan out per static key" not in replayed.warnings  # built first, no longer only warned about
    warning = r"^warning: backfill of schedule city_days_job_schedule: .* asset\(s\) city_quarters "
    assert re.search(warning, replayed.warnings, re.MULTILINE), replayed.warnings
    output = replayed.output

    days = _range()
    assert len(days) == 4  # 2 days × 2 cities
    windows = _mapped(days)
    assert len(windows) == 16  # 4 windows a day × 2 days × 2 cities
    started = re.findall(r"^▶ upstream-city-quarters\(\d+:([^)]+)\)", output, re.MULTILINE)
    assert sorted(started) == sorted(windows)  # each (city × window) once, as a full multi-partition key

    dagster_env = seaweed.env(f"cadence-fan-backfill-dagster-{os.getpid()}")
    for name, value in dagster_env.items():
        monkeypatch.setenv(name, value)
    defs = _defs()
    for key in sorted(windows):  # upstream first, each partition once, then the range
        assert defs.resolve_job_def("city_quarters_job").execute_in_process(partition_key=key).success
    for key in days:
        assert defs.resolve_job_def("city_days_job").execute_in_process(partition_key=key).success
    dagster = stored({**os.environ, **dagster_env})
    assert len(dagster) == len(windows) + len(days)
    assert stored(env) == dagster
