"""Static and date × static partitions fan out in Argo (`withItems` over a per-key DAG): `run-local` of a tick
materializes exactly the (asset, partition) pairs Dagster's own schedule evaluation requests for that tick, one key's
failure leaves the other keys alone, and a manual run takes a key in Dagster's own `MultiPartitionKey` form."""

import os
import re
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import yaml

from tests.compiler.argo_schema import schema_errors
from tests.compiler.support import REPO, compiler_process

MODULE = "tests.compiler.projects.fan_out"
SETTINGS = """
[tool.compiler]
name = "fan-out"
image = "registry.example/fan-out"
image_tag = "1.0"
namespace = "argo"
service_account = "fan-out"
config_map = "fan-out-config"
config_keys = ["FIXTURE_MARKER_DIR", "FIXTURE_FAIL_CITIES"]
fan_out_parallelism = 2

[tool.compiler.env]
HOME = "/tmp"
"""
DAILY_TICK = "2026-11-29T00:00:00Z"  # 01:00 in Vienna: the daily schedule requests 2026-11-28 for every city
WEEKLY_TICK = "2026-11-30T02:00:00Z"  # Monday 03:00 in Vienna


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fan-out")
    (root / "pyproject.toml").write_text(SETTINGS, encoding="utf-8")
    result = _compiler(
        ["build", "--module", MODULE, "--settings", str(root / "pyproject.toml"), "--out", str(root / "out")]
    )
    assert result.returncode == 0, result.stderr
    return root / "out"


def _compiler(arguments: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(REPO), "FIXTURE_FAIL_CITIES": "", **env}
    return compiler_process(arguments, REPO, environment, timeout=600)


def _defs() -> dg.Definitions:
    from tests.compiler.projects.fan_out import defs

    return defs


def _requested(schedule: str, tick: str) -> set[tuple[str, str]]:
    """Dagster's answer: the schedule's own run requests for the tick, times the assets of its job."""
    repository = _defs().get_repository_def()
    definition = repository.get_schedule_def(schedule)
    at = datetime.fromisoformat(tick)
    with dg.build_schedule_context(scheduled_execution_time=at, repository_def=repository) as context:
        requests = definition.evaluate_tick(context).run_requests or []
    assets = repository.get_job(definition.job_name).asset_layer.executable_asset_keys
    keys = {str(request.partition_key) for request in requests}
    assert len(keys) > 1  # a fan-out, not a single partition
    return {(asset.to_user_string(), key) for asset in assets for key in keys}


def _replay(out: Path, markers: Path, entrypoint: str, *extra: str, fail: str = "") -> subprocess.CompletedProcess[str]:
    template = out / "fan-out.workflowtemplate.yaml"
    arguments = [
        "run-local",
        str(template),
        "--entrypoint",
        entrypoint,
        "--max-parallel",
        "4",
        "--backoff-scale",
        "0",
        *extra,
    ]
    return _compiler(arguments, FIXTURE_MARKER_DIR=str(markers), FIXTURE_FAIL_CITIES=fail)


def _materialized(markers: Path) -> set[tuple[str, str]]:
    return {tuple(p.name.split("@", 1)) for p in markers.iterdir()} if markers.exists() else set()  # type: ignore[misc]


def _cron(out: Path, schedule: str) -> dict[str, Any]:
    [document] = [
        d
        for path in out.glob("*.cronworkflow.yaml")
        if (d := yaml.safe_load(path.read_text()))["metadata"]["annotations"]["dagster.io/schedule"] == schedule
    ]
    return document


def _templates(out: Path) -> dict[str, dict[str, Any]]:
    document = yaml.safe_load((out / "fan-out.workflowtemplate.yaml").read_text())
    return {t["name"]: t for t in document["spec"]["templates"]}


def test_manifests_are_valid_and_fan_out_over_the_static_keys(out: Path) -> None:
    argo_files = sorted([*out.glob("*.workflowtemplate.yaml"), *out.glob("*.cronworkflow.yaml")])
    for path in argo_files:  # Argo's JSON schema made strict, and the compiler's own structure + lint checks
        document = yaml.safe_load(path.read_text())
        assert schema_errors(document) == [], (path.name, schema_errors(document)[:3])
    validated = _compiler(["validate", *map(str, argo_files)])
    assert validated.returncode == 0, validated.stdout + validated.stderr
    entrypoint = _cron(out, "daily_cities")["spec"]["workflowSpec"]["entrypoint"]
    templates = _templates(out)
    outer = templates[entrypoint]
    assert outer["parallelism"] == 2
    assert outer["dag"]["failFast"] is False
    [fan_out] = outer["dag"]["tasks"]
    static = _defs().resolve_asset_graph().get(dg.AssetKey("measurements")).partitions_def
    assert isinstance(static, dg.MultiPartitionsDefinition)
    city = static.get_partitions_def_for_dimension("city")
    assert fan_out["withItems"] == city.get_partition_keys()  # Dagster's own static keys, in its order
    per_key = templates[fan_out["template"]]
    assert {p["name"] for p in per_key["inputs"]["parameters"]} == {"partition", "static-key"}
    assert [t["name"] for t in per_key["dag"]["tasks"]] == ["measurements", "daily-summary"]
    step = templates[per_key["dag"]["tasks"][0]["template"]]
    assert {"name": "FAN_OUT_PARALLELISM", "value": "2"} in step["container"]["env"]
    assert step["container"]["args"][-2:] == ["--static-key", "{{inputs.parameters.static-key}}"]


def test_a_tick_materializes_exactly_what_dagsters_schedule_requests(out: Path, tmp_path: Path) -> None:
    entrypoint = _cron(out, "daily_cities")["spec"]["workflowSpec"]["entrypoint"]
    result = _replay(out, tmp_path / "m", entrypoint, "--scheduled-time", DAILY_TICK, "-p", "schedule=daily_cities")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert _materialized(tmp_path / "m") == _requested("daily_cities", DAILY_TICK)
    assert re.search(r"^✔ each-measurements\(2:vienna\)\.daily-summary ", result.stdout, re.MULTILINE)


def test_a_static_partitions_tick_materializes_every_requested_key(out: Path, tmp_path: Path) -> None:
    entrypoint = _cron(out, "stations_weekly")["spec"]["workflowSpec"]["entrypoint"]
    result = _replay(out, tmp_path / "m", entrypoint, "--scheduled-time", WEEKLY_TICK, "-p", "schedule=stations_weekly")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert _materialized(tmp_path / "m") == _requested("stations_weekly", WEEKLY_TICK)


def test_a_failing_key_fails_alone_and_at_most_parallelism_keys_run(out: Path, tmp_path: Path) -> None:
    entrypoint = _cron(out, "daily_cities")["spec"]["workflowSpec"]["entrypoint"]
    result = _replay(
        out, tmp_path / "m", entrypoint, "--scheduled-time", DAILY_TICK, "-p", "schedule=daily_cities", fail="linz"
    )
    assert result.returncode == 1
    requested = _requested("daily_cities", DAILY_TICK)
    [linz_summary] = [(a, k) for a, k in requested if a == "daily_summary" and "linz" in k.split("|")]
    # linz's first asset ran (and failed, retried by its own retryStrategy); its downstream never started; the
    # other cities published everything
    assert _materialized(tmp_path / "m") == requested - {linz_summary}
    assert "1 failed (each-measurements(1:linz).measurements)" in result.stdout
    active: set[str] = set()
    busiest = 0
    for event, key, task in re.findall(r"^(▶|✔|✘) each-measurements\(\d+:(\w+)\)\.([a-z-]+)", result.stdout, re.M):
        if event == "▶":
            active.add(key)
        elif task == "daily-summary" or event == "✘":
            active.discard(key)
        busiest = max(busiest, len(active))
    assert busiest == 2  # fan_out_parallelism keys at once, never more


@pytest.mark.parametrize("partition", ["vienna|2026-11-27", "2026-11-27"])
def test_a_manual_run_takes_a_key_in_dagsters_form(out: Path, tmp_path: Path, partition: str) -> None:
    """`-p partition=` with a full MultiPartitionKey string materializes that key only; the date alone, that day
    for every city."""
    definition = _defs().resolve_asset_graph().get(dg.AssetKey("measurements")).partitions_def
    assert isinstance(definition, dg.MultiPartitionsDefinition)
    if "|" in partition:
        expected_keys = {str(definition.get_partition_key_from_str(partition))}
        assert str(dg.MultiPartitionKey({"date": "2026-11-27", "city": "vienna"})) == partition  # Dagster's form
    else:
        expected_keys = {str(k) for k in definition.get_multipartition_keys_with_dimension_value("date", partition)}
    entrypoint = _cron(out, "daily_cities")["spec"]["workflowSpec"]["entrypoint"]  # the job's own DAG
    result = _replay(out, tmp_path / "m", entrypoint, "-p", f"partition={partition}")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    expected = {(asset, key) for asset in ("measurements", "daily_summary") for key in expected_keys}
    assert _materialized(tmp_path / "m") == expected


def _dagster_keys(start: str, end: str, cities: tuple[str, ...] = ()) -> set[str]:
    """Dagster's answer: the definition's own keys whose date is in its own list of dates from start to end."""
    definition = _defs().resolve_asset_graph().get(dg.AssetKey("measurements")).partitions_def
    assert isinstance(definition, dg.MultiPartitionsDefinition)
    dates = set(definition.time_window_partitions_def.get_partition_keys_in_range(dg.PartitionKeyRange(start, end)))
    return {
        str(key)
        for key in definition.get_partition_keys()
        if key.keys_by_dimension["date"] in dates and (not cities or key.keys_by_dimension["city"] in cities)
    }


@pytest.mark.parametrize("cities", [(), ("vienna",)])
def test_a_backfill_covers_a_date_range_times_all_or_chosen_static_keys(
    out: Path, tmp_path: Path, cities: tuple[str, ...]
) -> None:
    workflow = tmp_path / "backfill.yaml"
    selection = ["--keys", ",".join(cities)] if cities else []
    written = _compiler(
        ["backfill", "--module", MODULE, "--settings", str(out.parent / "pyproject.toml"), "--schedule",
         "daily_cities", "--start", "2026-11-01", "--end", "2026-11-02", "--parallelism", "2", *selection,
         "--out", str(workflow)]
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    document = yaml.safe_load(workflow.read_text())
    assert schema_errors(document) == []
    [task] = document["spec"]["templates"][0]["dag"]["tasks"]
    # items: the dates alone (each fans out over every city), or Dagster's MultiPartitionKey strings
    assert set(task["withItems"]) == (
        {"2026-11-01", "2026-11-02"} if not cities else _dagster_keys("2026-11-01", "2026-11-02", cities)
    )

    replay = _compiler(
        ["run-local", str(workflow), "--templates", str(out), "--max-parallel", "4", "--backoff-scale", "0"],
        FIXTURE_MARKER_DIR=str(tmp_path / "m"),
    )
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr
    expected = {
        (asset, key)
        for asset in ("measurements", "daily_summary")
        for key in _dagster_keys("2026-11-01", "2026-11-02", cities)
    }
    assert _materialized(tmp_path / "m") == expected  # with --keys, the other cities' items had nothing to do


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--start", "2026-11-01", "--end", "2026-11-02", "--keys", "paris"],
            "--keys paris: not keys of dimension city",
        ),
        (["--start", "vienna|2026-11-01", "--end", "2026-11-02"], "is not a partition of schedule daily_cities"),
        (["--start", "2026-11-03", "--end", "2026-11-02"], "--start 2026-11-03 is after --end 2026-11-02"),
    ],
)
def test_bad_multi_dimensional_backfills_are_usage_errors(out: Path, arguments: list[str], message: str) -> None:
    result = _compiler(
        ["backfill", "--module", MODULE, "--settings", str(out.parent / "pyproject.toml"), "--schedule", "daily_cities",
         *arguments]
    )  # fmt: skip
    assert result.returncode == 2
    assert message in result.stderr


def test_the_tick_listing_shows_every_key_the_schedule_requests(out: Path) -> None:
    cron = next(p for p in out.glob("*.cronworkflow.yaml") if "daily-cities" in p.name)
    listed = _compiler(["run-local", str(cron), "--from", "2026-11-29T00:30", "--to", "2026-11-29T02:00"])
    assert listed.returncode == 0, listed.stderr
    [line] = [line for line in listed.stdout.splitlines() if line.startswith("2026-11-29T01:00:00+01:00")]
    for asset, key in _requested("daily_cities", DAILY_TICK):
        city = key.split("|")[0]
        assert f"{asset}[{city}]: {key}" in line
