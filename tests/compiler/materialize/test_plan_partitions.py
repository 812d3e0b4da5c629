"""`python -m compiler plan-partitions` lists exactly the upstream partitions Dagster's own mapping says one
downstream partition reads, resolving that partition as a step pod does (explicit, or the schedule's tick), across the
23- and 25-hour days of Vienna; partitions that do not exist yet fail it naming them."""

import json
import os
from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest

from tests.compiler.support import REPO, compiler_process

MODULE = "tests.compiler.projects.cadence"


def _plan(
    tmp_path: Path, *arguments: str, module: list[str] | None = None, cwd: Path = REPO
) -> tuple[int, str, list[str] | None]:
    output = tmp_path / "keys.json"
    result = compiler_process(
        ["plan-partitions", *(module or ["--module", MODULE]), "--output", str(output), *arguments],
        cwd,
        {**os.environ, "PYTHONPATH": str(REPO)},
    )
    keys = json.loads(output.read_text()) if output.exists() else None
    return result.returncode, result.stdout + result.stderr, keys


def _dagster(child: str, parent: str, key: str) -> list[str]:
    """Dagster's answer, in the upstream definition's order."""
    from tests.compiler.projects.cadence import defs

    graph = defs.resolve_asset_graph()
    child_def = graph.get(dg.AssetKey(child)).partitions_def
    parent_def = graph.get(dg.AssetKey(parent)).partitions_def
    assert child_def is not None
    assert parent_def is not None
    result = graph.get_partition_mapping(
        dg.AssetKey(child), dg.AssetKey(parent)
    ).get_upstream_mapped_partitions_result_for_partitions(
        child_def.subset_with_partition_keys([key]), child_def, parent_def
    )
    return sorted(result.partitions_subset.get_partition_keys())


@pytest.mark.parametrize(
    ("child", "parent", "key", "count"),
    [
        ("daily_mean", "readings", "2026-10-25", 25),  # the day Vienna's clocks go back
        ("daily_mean", "readings", "2026-11-28", 24),
        ("weekly_mean", "daily_mean", "2026-11-22", 7),
    ],
)
def test_an_explicit_partition_lists_dagsters_upstream_keys(
    tmp_path: Path, child: str, parent: str, key: str, count: int
) -> None:
    code, output, keys = _plan(tmp_path, "--asset", child, "--upstream", parent, "--partition", key)
    assert code == 0, output
    assert keys is not None
    assert len(keys) == count
    assert sorted(keys) == _dagster(child, parent, key)
    assert f"asset {child} partition {key} reads {count} partition(s) of asset {parent}" in output


def test_without_a_partition_the_schedules_tick_decides(tmp_path: Path) -> None:
    from tests.compiler.projects.cadence import defs

    tick = "2026-11-29T00:00:00Z"
    repository = defs.get_repository_def()
    with dg.build_schedule_context(
        scheduled_execution_time=datetime.fromisoformat(tick), repository_def=repository
    ) as context:
        [request] = repository.get_schedule_def("daily_mean_job_schedule").evaluate_tick(context).run_requests or []
    assert request.partition_key is not None
    code, output, keys = _plan(
        tmp_path, "--asset", "daily_mean", "--upstream", "readings",
        "--schedule", "daily_mean_job_schedule", "--scheduled-time", tick,
    )  # fmt: skip
    assert code == 0, output
    assert keys == _dagster("daily_mean", "readings", request.partition_key)


def test_upstream_partitions_that_do_not_exist_fail_naming_them(tmp_path: Path) -> None:
    project = tmp_path / "late_hours.py"
    project.write_text(
        "import dagster as dg\n"
        "hours = dg.HourlyPartitionsDefinition(start_date='2026-11-28-12:00')\n"
        "days = dg.DailyPartitionsDefinition(start_date='2026-11-01')\n"
        "@dg.asset(partitions_def=hours)\n"
        "def readings() -> None: ...\n"
        "@dg.asset(partitions_def=days, deps=[readings])\n"
        "def day() -> None: ...\n"
        "defs = dg.Definitions(assets=[readings, day])\n",
        encoding="utf-8",
    )
    code, output, keys = _plan(
        tmp_path, "--asset", "day", "--upstream", "readings", "--partition", "2026-11-28",
        module=["--python-file", project.name], cwd=tmp_path,
    )  # fmt: skip
    assert code == 1, output
    assert keys is None
    assert (
        "plan-partitions: FAILED: asset day partition 2026-11-28 reads 12 partition(s) of asset readings that" in output
    )
    assert "2026-11-28-00:00" in output
    assert "Traceback" not in output


def test_an_asset_that_is_not_upstream_is_a_usage_error(tmp_path: Path) -> None:
    code, output, _ = _plan(tmp_path, "--asset", "readings", "--upstream", "weekly_mean", "--partition", "x")
    assert code == 2
    assert "does not depend on asset" in output


@pytest.mark.parametrize(("week", "hours"), [("2026-11-22", 168), ("2026-10-25", 169)])  # the week clocks go back
def test_an_ancestor_two_cadences_up_gets_every_partition_through_each_path(
    tmp_path: Path, week: str, hours: int
) -> None:
    """weekly ← daily ← hourly: the hours of every day of the week, as Dagster's two mappings compose."""
    days = _dagster("weekly_mean", "daily_mean", week)
    expected = sorted({hour for day in days for hour in _dagster("daily_mean", "readings", day)})
    code, output, keys = _plan(tmp_path, "--asset", "weekly_mean", "--upstream", "readings", "--partition", week)
    assert code == 0, output
    assert keys is not None
    assert sorted(keys) == expected
    assert len(keys) == hours


def _dagster_range(child: str, parent: str, keys: list[str]) -> list[str]:
    """Dagster's answer for several downstream partitions at once: the union, in the upstream definition's order."""
    from tests.compiler.projects.cadence import defs

    graph = defs.resolve_asset_graph()
    child_def = graph.get(dg.AssetKey(child)).partitions_def
    parent_def = graph.get(dg.AssetKey(parent)).partitions_def
    assert child_def is not None
    assert parent_def is not None
    result = graph.get_partition_mapping(
        dg.AssetKey(child), dg.AssetKey(parent)
    ).get_upstream_mapped_partitions_result_for_partitions(
        child_def.subset_with_partition_keys(keys), child_def, parent_def
    )
    return list(result.partitions_subset.get_partition_keys())


def test_a_range_of_downstream_partitions_lists_the_union_once_in_order(tmp_path: Path) -> None:
    """A backfill's planning task: three days across Vienna's 25-hour day read 24 + 25 + 24 hours, each once."""
    days = ["2026-10-24", "2026-10-25", "2026-10-26"]
    code, output, keys = _plan(
        tmp_path, "--asset", "daily_mean", "--upstream", "readings", "--start", days[0], "--end", days[-1]
    )
    assert code == 0, output
    assert keys is not None
    expected = _dagster_range("daily_mean", "readings", days)
    assert len(expected) == 73
    assert keys == expected
    assert len(set(keys)) == len(keys)
    assert f"partitions {days[0]}..{days[-1]} reads 73 partition(s) of asset readings" in output


def test_a_range_two_cadences_up_is_the_union_through_every_path(tmp_path: Path) -> None:
    """Two weeks of weekly_mean read fourteen days, and so every hour of them, each listed once."""
    weeks = ["2026-11-15", "2026-11-22"]
    code, output, keys = _plan(
        tmp_path, "--asset", "weekly_mean", "--upstream", "readings", "--start", weeks[0], "--end", weeks[-1]
    )
    assert code == 0, output
    days = _dagster_range("weekly_mean", "daily_mean", weeks)
    assert len(days) == 14
    hours = _dagster_range("daily_mean", "readings", days)
    assert keys == hours
    assert len(hours) == 14 * 24


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--start", "2026-10-24"], "give both --start and --end"),
        (["--start", "2026-10-26", "--end", "2026-10-24"], "--start 2026-10-26 is after --end 2026-10-24"),
        (["--start", "2026-10-24", "--end", "1999-01-01"], "--end '1999-01-01' is not a partition of daily_mean"),
        (["--start", "2026-10-24", "--end", "2026-10-25", "--partition", "2026-10-24"], "not --partition"),
    ],
)
def test_a_bad_range_is_a_usage_error(tmp_path: Path, arguments: list[str], message: str) -> None:
    code, output, keys = _plan(tmp_path, "--asset", "daily_mean", "--upstream", "readings", *arguments)
    assert code == 2, output
    assert message in output
    assert keys is None
    assert "Traceback" not in output


def test_a_range_over_assets_of_two_definitions_is_a_usage_error(tmp_path: Path) -> None:
    """A backfill plans for the assets of one job, which share one partitions definition (Dagster's rule)."""
    code, output, keys = _plan(
        tmp_path, "--asset", "daily_mean,weekly_mean", "--upstream", "readings",
        "--start", "2026-11-22", "--end", "2026-11-22",
    )  # fmt: skip
    assert code == 2, output
    assert "must share one partitions definition" in output
    assert keys is None


def test_a_range_of_a_time_by_static_downstream_is_every_city_of_those_days(tmp_path: Path) -> None:
    """A fanned-out job's backfill (time keys, every static key): the full (city × window) keys Dagster's mapping
    names for every (city × day) partition of the days, each once, in the upstream definition's order."""
    from tests.compiler.projects.cadence_fan_out import DAYS_BY_CITY, defs

    days = ["2026-11-20", "2026-11-21"]
    module = ["--module", "tests.compiler.projects.cadence_fan_out"]
    code, output, keys = _plan(
        tmp_path, "--asset", "city_days", "--upstream", "city_quarters", "--start", days[0], "--end", days[-1],
        module=module,
    )  # fmt: skip
    assert code == 0, output
    children = [
        str(dg.MultiPartitionKey({"date": day, "city": city}))
        for day in days
        for city in DAYS_BY_CITY.get_partitions_def_for_dimension("city").get_partition_keys()
    ]
    graph = defs.resolve_asset_graph()
    child_def, parent_def = DAYS_BY_CITY, graph.get(dg.AssetKey("city_quarters")).partitions_def
    assert parent_def is not None
    result = graph.get_partition_mapping(
        dg.AssetKey("city_days"), dg.AssetKey("city_quarters")
    ).get_upstream_mapped_partitions_result_for_partitions(
        child_def.subset_with_partition_keys(children), child_def, parent_def
    )
    wanted = {str(key) for key in result.partitions_subset.get_partition_keys()}
    assert len(wanted) == 16  # 4 windows a day × 2 days × 2 cities
    assert keys == [key for key in parent_def.get_partition_keys() if key in wanted]
    bad, output, _ = _plan(
        tmp_path, "--asset", "city_days", "--upstream", "city_quarters", "--start", "graz|2026-11-20",
        "--end", days[-1], module=module,
    )  # fmt: skip
    assert bad == 2, output
    assert "(a key of dimension date)" in output
