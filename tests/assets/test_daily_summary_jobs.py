"""The summary is event-driven: the nightly schedule never builds it, in Dagster or in the committed argo_out/
CronWorkflow, and `daily_summary_job` selects it alone (what a new-object sensor targets)."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from dagster import AssetKey

from assets import defs
from assets.city import VIENNA
from assets.measurements_parquet import object_key
from devservices.openaq_server.app import OpenAQServer
from tests.assets.summary_support import file_key, store

ROOT = Path(__file__).resolve().parents[2]
ARGO_OUT = ROOT / "argo_out"
SUMMARY = AssetKey(["openaq", "daily_summary"])
PARQUET = AssetKey(["openaq", "measurements_parquet"])
TICK = "2026-11-28T00:00:00Z"  # 01:00 in Vienna: builds 2026-11-27


def job_assets(job_name: str) -> set[str]:
    """Dagster's own answer: the asset keys a job materializes."""
    job = defs.get_repository_def().get_job(job_name)
    return {key.to_user_string() for key in job.asset_layer.selected_asset_keys}


def nightly_job_name() -> str:
    (schedule,) = defs.get_repository_def().schedule_defs
    return schedule.job_name


def test_the_nightly_schedule_targets_a_job_without_the_summary() -> None:
    assert nightly_job_name() == "air_quality_daily"
    assert job_assets("air_quality_daily") == {
        "openaq/raw_measurements",
        "openaq/clean_measurements",
        "openaq/measurements_parquet",
    }


def test_daily_summary_job_selects_the_summary_alone_on_the_same_partitions() -> None:
    assert job_assets("daily_summary_job") == {"openaq/daily_summary"}
    assert all(s.job_name != "daily_summary_job" for s in defs.get_repository_def().schedule_defs)
    summary, parquet = defs.get_assets_def(SUMMARY), defs.get_assets_def(PARQUET)
    assert summary.partitions_def == parquet.partitions_def
    assert PARQUET in summary.asset_deps[SUMMARY]


def _argo(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ARGO_OUT / name).read_text(encoding="utf-8"))
    return loaded


def _assets_under(templates: dict[str, dict[str, Any]], name: str) -> set[str]:
    """The `asset` arguments of every step a DAG template runs, through nested DAGs (the fan-out's per-key DAG)."""
    found: set[str] = set()
    for task in templates[name].get("dag", {}).get("tasks", []):
        if "dag" in templates[task["template"]]:
            found |= _assets_under(templates, task["template"])
            continue
        params = {p["name"]: p["value"] for p in task.get("arguments", {}).get("parameters", [])}
        found |= set(params["asset"].split(","))
    return found


def test_the_cron_workflow_runs_exactly_the_nightly_jobs_assets() -> None:
    cron = _argo("air-quality-nightly.cronworkflow.yaml")
    template = _argo("air-quality.workflowtemplate.yaml")
    templates = {t["name"]: t for t in template["spec"]["templates"]}
    entrypoint = cron["spec"]["workflowSpec"]["entrypoint"]
    assert _assets_under(templates, entrypoint) == job_assets(nightly_job_name())
    assert "openaq/daily_summary" in _assets_under(templates, "main")  # a manual submit of the whole graph has it


def test_a_replayed_nightly_tick_publishes_the_parquet_and_no_summary(
    s3_env: dict[str, str], openaq_env: OpenAQServer
) -> None:
    cron = _argo("air-quality-nightly.cronworkflow.yaml")
    entrypoint = cron["spec"]["workflowSpec"]["entrypoint"]
    template = str(ARGO_OUT / "air-quality.workflowtemplate.yaml")
    replay = subprocess.run(
        [sys.executable, "-m", "compiler", "run-local", template, "--scheduled-time", TICK, "--entrypoint", entrypoint],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-3000:]
    assert store().exists(object_key(VIENNA.name, "2026-11-27"))
    assert not store().exists(file_key("2026-11-27", "summary.json"))
    assert not store().exists(file_key("2026-11-27", "chart.png"))
    assert "daily_summary" not in replay.stdout
    assert "daily-summary" not in replay.stdout
