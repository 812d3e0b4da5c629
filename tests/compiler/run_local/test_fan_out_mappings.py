"""A daily asset → a date × city fan-out → a daily fan-in, joined by `MultiToSingleDimensionPartitionMapping`:
`run-local` of one tick materializes exactly the pairs Dagster's own schedules request for it, every downstream
partition after (and together with) exactly the upstream partitions Dagster's mapping says it needs."""

import re
from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest

from tests.compiler.run_local.test_fan_out_partitions import SETTINGS, _compiler, _materialized

MODULE = "tests.compiler.projects.fan_out_mappings"
TICK = "2026-11-29T00:00:00Z"  # 01:00 in Vienna


def _defs() -> dg.Definitions:
    from tests.compiler.projects.fan_out_mappings import defs

    return defs


def _requested() -> set[tuple[str, str]]:
    """Dagster's answer: every schedule's run requests for the tick, times its job's assets."""
    repository = _defs().get_repository_def()
    pairs = set()
    for schedule in repository.schedule_defs:
        with dg.build_schedule_context(
            scheduled_execution_time=datetime.fromisoformat(TICK), repository_def=repository
        ) as context:
            requests = schedule.evaluate_tick(context).run_requests or []
        assets = repository.get_job(schedule.job_name).asset_layer.executable_asset_keys
        pairs |= {(a.to_user_string(), str(r.partition_key)) for a in assets for r in requests}
    return pairs


def _needs(asset: str, key: str) -> set[tuple[str, str]]:
    """Dagster's mapping: the upstream (asset, partition) pairs one downstream partition reads."""
    graph = _defs().resolve_asset_graph()
    child = dg.AssetKey(asset)
    child_def = graph.get(child).partitions_def
    assert child_def is not None
    needed = set()
    for parent in graph.get(child).parent_keys:
        parent_def = graph.get(parent).partitions_def
        assert parent_def is not None
        result = graph.get_partition_mapping(child, parent).get_upstream_mapped_partitions_result_for_partitions(
            child_def.subset_with_partition_keys([key]), child_def, parent_def
        )
        needed |= {(parent.to_user_string(), str(k)) for k in result.partitions_subset.get_partition_keys()}
    return needed


@pytest.mark.filterwarnings("ignore::dagster.BetaWarning")
def test_a_tick_honours_dagsters_partition_mappings(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(SETTINGS, encoding="utf-8")
    out = tmp_path / "out"
    built = _compiler(["build", "--module", MODULE, "--settings", str(tmp_path / "pyproject.toml"), "--out", str(out)])
    assert built.returncode == 0, built.stderr
    assert "warning:" not in built.stderr  # the mappings are exact: each waits for exactly the tick's partitions
    replay = _compiler(
        [
            "run-local",
            str(out / "fan-out.workflowtemplate.yaml"),
            "--scheduled-time",
            TICK,
            "--max-parallel",
            "4",
            "--backoff-scale",
            "0",
        ],
        FIXTURE_MARKER_DIR=str(tmp_path / "m"),
    )
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr
    materialized = _materialized(tmp_path / "m")
    assert materialized == _requested()
    finished = [
        m.group(1) for m in re.finditer(r"^✔ (?:each-measurements\(\d+:\w+\)\.)?([a-z-]+) ", replay.stdout, re.M)
    ]
    order = {"weather": 0, "measurements": 1, "austria-summary": 2}
    assert [order[name] for name in finished] == sorted(order[name] for name in finished)  # upstream first
    for asset, key in materialized:
        assert _needs(asset, key) <= materialized, (asset, key)  # every partition it reads was built
    [(_, day)] = [pair for pair in materialized if pair[0] == "austria_summary"]
    assert {pair for pair in _needs("austria_summary", day)} == {p for p in materialized if p[0] == "measurements"}
