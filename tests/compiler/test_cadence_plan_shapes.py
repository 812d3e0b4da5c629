"""`main` plans dependencies of another cadence through multi-assets and time × static fan-outs
(compiler/builder/cadence.py): one planning task per upstream op, its step fanned out over the listed keys (full
multi-partition keys for a fan-out), the downstream task or per-key DAG after it, and no warning. The replays
against Dagster are tests/compiler/run_local/test_cadence_multi_replay.py and test_cadence_fan_out_replay.py."""

import os
from pathlib import Path
from typing import Any

import dagster as dg
import yaml

from compiler.builder.load import project_from_definitions
from tests.compiler.run_local.dynamic_support import SETTINGS
from tests.compiler.support import REPO, compile_defs, compiler_process, dag, workflow_template

VIENNA = "Europe/Vienna"
HOURS = dg.HourlyPartitionsDefinition("2026-01-01-00:00", timezone=VIENNA)
DAYS = dg.DailyPartitionsDefinition("2026-01-01", timezone=VIENNA)
GRID = dg.MultiPartitionsDefinition({"date": DAYS, "city": dg.StaticPartitionsDefinition(["graz", "vienna"])})


def test_a_time_by_static_downstream_plans_its_upstream_hours_before_its_per_city_dags() -> None:
    @dg.asset(partitions_def=HOURS)
    def parent() -> None: ...

    by_date = dg.MultiToSingleDimensionPartitionMapping(partition_dimension_name="date")

    @dg.asset(partitions_def=GRID, deps=[dg.AssetDep(parent, partition_mapping=by_date)])
    def child() -> None: ...

    defs = dg.Definitions(assets=[parent, child])
    assert project_from_definitions("project", defs).warnings == ()
    main = dag(workflow_template(compile_defs(defs)))
    assert main["plan-child-parent"]["template"] == "plan-partitions"
    assert main["parent-for-child"]["withParam"] == "{{tasks.plan-child-parent.outputs.parameters.keys}}"
    assert main["each-child"]["depends"] == "parent-for-child"  # every city's day after the planned hours
    assert main["each-child"]["withItems"] == ["graz", "vienna"]


def test_a_multi_asset_upstream_is_planned_once_though_the_downstream_op_reads_each_of_its_keys() -> None:
    @dg.multi_asset(specs=[dg.AssetSpec("temp"), dg.AssetSpec("wind")], partitions_def=HOURS)
    def readings():  # no annotation: Dagster reads a -> None annotation as one output
        pass

    day_specs = [dg.AssetSpec("day_temp", deps=["temp"]), dg.AssetSpec("day_wind", deps=["wind"])]

    @dg.multi_asset(specs=day_specs, partitions_def=DAYS)
    def stats():
        pass

    defs = dg.Definitions(assets=[readings, stats])
    assert project_from_definitions("project", defs).warnings == ()
    main = dag(workflow_template(compile_defs(defs)))
    plans = [name for name, task in main.items() if task["template"] == "plan-partitions"]
    assert plans == ["plan-stats-readings"]  # one plan for the op, not one per key it reads
    fan_out = main["readings-for-stats"]
    arguments = {p["name"]: p["value"] for p in fan_out["arguments"]["parameters"]}
    assert arguments["asset"] == "temp,wind"  # the op's step, both of its assets per listed hour
    assert main["stats"]["depends"] == "readings-for-stats"


def _fan_out_backfill(tmp_path: Path, *extra: str) -> tuple[dict[str, dict[str, Any]], str]:
    """The backfill Workflow of the daily × city job over three days (tasks by name) and the command's stderr."""
    (tmp_path / "pyproject.toml").write_text(SETTINGS, encoding="utf-8")
    settings = str(tmp_path / "pyproject.toml")
    arguments = ["backfill", "-m", "tests.compiler.projects.cadence_fan_out", "--settings", settings]
    arguments += ["--schedule", "city_days_job_schedule", "--start", "2026-11-20", "--end", "2026-11-22", *extra]
    result = compiler_process(arguments, REPO, {**os.environ})
    assert result.returncode == 0, result.stderr
    [template] = yaml.safe_load(result.stdout)["spec"]["templates"]
    return {task["name"]: task for task in template["dag"]["tasks"]}, result.stderr


def test_a_backfill_of_a_fanned_out_job_plans_the_city_windows_of_the_whole_range_first(tmp_path: Path) -> None:
    """As `main` for one tick: a planning task over the range (time keys: every city), the 6-hourly step fanned
    out over its full keys, the per-day runs of the per-city DAGs after it."""
    tasks, stderr = _fan_out_backfill(tmp_path)
    assert list(tasks) == ["plan-city-quarters", "upstream-city-quarters", "partition"]
    parameters = {p["name"]: p["value"] for p in tasks["plan-city-quarters"]["arguments"]["parameters"]}
    assert (parameters["asset"], parameters["upstream"]) == ("city_days", "city_quarters")
    assert (parameters["start"], parameters["end"]) == ("2026-11-20", "2026-11-22")
    fan_out = tasks["upstream-city-quarters"]
    assert fan_out["withParam"] == "{{tasks.plan-city-quarters.outputs.parameters.keys}}"
    assert {p["name"]: p["value"] for p in fan_out["arguments"]["parameters"]}["partition"] == "{{item}}"
    assert tasks["partition"]["depends"] == "upstream-city-quarters"
    assert "fan out per static key" not in stderr
    assert "asset(s) city_quarters that the range reads" in stderr


def test_a_backfill_of_some_cities_says_it_does_not_build_the_other_cadence_first(tmp_path: Path) -> None:
    """--keys restricts the range to some static keys; plan-partitions plans whole windows: warned, not built."""
    tasks, stderr = _fan_out_backfill(tmp_path, "--keys", "vienna")
    assert list(tasks) == ["partition"]
    assert "warning: backfill of schedule city_days_job_schedule: asset(s) city_days fan out per static key" in (stderr)
