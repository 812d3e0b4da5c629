"""`compiler backfill` over a range of a downstream asset whose upstream asset has another cadence, replayed with
`run-local` against the real SeaweedFS: a planning task lists, by Dagster's mapping, the upstream partitions the
whole range reads, the upstream step fans out over them (each once), then the job's DAG runs each downstream
partition. Compared with Dagster in process materializing the same partitions in dependency order (what its asset
backfill over both assets builds) on a bucket of its own; stored objects are compared byte for byte."""

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from assets.resources.object_store import ObjectStore
from devservices.s3.seaweed import SeaweedS3
from tests.compiler.run_local.backfill_support import replay_backfill
from tests.compiler.run_local.test_cadence_replay import QUARTERS, SETTINGS, _quarters_defs, _quarters_mapping, _stored
from tests.compiler.support import REPO, compiler_process

DAYS = ("2026-10-24", "2026-10-25", "2026-10-26")  # 2026-10-25 is 25 hours long in Vienna


def _settings(tmp_path: Path) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(SETTINGS.replace('name = "cadence"', 'name = "quarters"'), encoding="utf-8")
    return path


@pytest.mark.timeout(1500)
def test_a_backfill_of_daily_partitions_builds_the_windows_they_read_first_each_once(
    seaweed: SeaweedS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), **seaweed.env(f"cadence-backfill-{os.getpid()}")}
    settings = _settings(tmp_path)
    replayed = replay_backfill(
        tmp_path, env, QUARTERS, settings, "quarter_days_job_schedule", (DAYS[0], DAYS[-1]), 3, 3
    )
    warning = r"^warning: backfill of schedule quarter_days_job_schedule: .* asset\(s\) quarters "
    assert re.search(warning, replayed.warnings, re.MULTILINE), replayed.warnings
    output = replayed.output

    windows = _quarters_mapping("quarter_days", "quarters", set(DAYS))  # Dagster's answer for the whole range
    assert len(windows) == 12  # four a day (on the 25-hour day the first window is 7 hours long)
    started = re.findall(r"^▶ upstream-quarters\(\d+:([0-9:-]+)\)", output, re.MULTILINE)
    assert sorted(started) == sorted(windows)  # each window once
    assert sorted(re.findall(r"^✔ partition\(\d+:([0-9-]+)\)\.quarter-days ", output, re.MULTILINE)) == list(DAYS)
    # the downstream partitions start only once every window is built
    last_window = max(output.rfind(f"✔ upstream-quarters({i}:") for i in range(len(windows)))
    first_day = min(output.find(f"▶ partition({i}:") for i in range(len(DAYS)))
    assert 0 <= last_window < first_day, output[-3000:]

    for name, value in seaweed.env(f"cadence-backfill-dagster-{os.getpid()}").items():
        monkeypatch.setenv(name, value)
    defs = _quarters_defs()
    for key in sorted(windows):  # upstream first, each partition once, then the range
        assert defs.resolve_job_def("quarters_job").execute_in_process(partition_key=key).success
    for day in DAYS:
        assert defs.resolve_job_def("quarter_days_job").execute_in_process(partition_key=day).success
    argo_store = ObjectStore(
        endpoint=env["MINIO_ENDPOINT"], access_key=env["MINIO_ACCESS_KEY"],
        secret_key=env["MINIO_SECRET_KEY"], bucket=env["MINIO_BUCKET"],
    )  # fmt: skip
    dagster_stored = _stored(ObjectStore.from_env())
    assert len(dagster_stored) == 12 + 3
    assert _stored(argo_store) == dagster_stored


def _backfill(tmp_path: Path, schedule: str, start: str, end: str) -> tuple[dict[str, Any], str]:
    """The backfill Workflow's tasks by name, and the command's stderr."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    written = compiler_process(
        ["backfill", "--module", QUARTERS, "--settings", str(_settings(tmp_path)), "--schedule", schedule,
         "--start", start, "--end", end],
        REPO, env,
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    [template] = yaml.safe_load(written.stdout)["spec"]["templates"]
    return {task["name"]: task for task in template["dag"]["tasks"]}, written.stderr


def test_a_weekly_backfill_plans_both_cadences_above_it_in_dependency_order(tmp_path: Path) -> None:
    """Weeks read days, days read 6-hour windows: the days' fan-out waits for the windows', the weeks for both; each
    planning task names the weekly asset and the backfill's range."""
    tasks, stderr = _backfill(tmp_path, "quarter_weeks_job_schedule", "2026-11-15", "2026-11-22")
    assert list(tasks) == ["plan-quarters", "upstream-quarters", "plan-quarter-days", "upstream-quarter-days",
                           "partition"]  # fmt: skip
    assert tasks["upstream-quarter-days"]["depends"] == "plan-quarter-days && upstream-quarters"
    assert tasks["partition"]["depends"] == "upstream-quarter-days && upstream-quarters"
    assert tasks["upstream-quarters"]["withParam"] == "{{tasks.plan-quarters.outputs.parameters.keys}}"
    for planning, upstream in (("plan-quarters", "quarters"), ("plan-quarter-days", "quarter_days")):
        parameters = {p["name"]: p["value"] for p in tasks[planning]["arguments"]["parameters"]}
        assert parameters["asset"] == "quarter_weeks"
        assert parameters["upstream"] == upstream
        assert (parameters["start"], parameters["end"]) == ("2026-11-15", "2026-11-22")
    assert "asset(s) quarters, quarter_days" in stderr


def test_a_backfill_of_the_root_cadence_builds_nothing_else(tmp_path: Path) -> None:
    tasks, stderr = _backfill(tmp_path, "quarters_job_schedule", "2026-11-15-00:00", "2026-11-15-18:00")
    assert list(tasks) == ["partition"]
    assert "depends" not in tasks["partition"]
    assert "warning: backfill" not in stderr


@pytest.mark.timeout(1500)
def test_a_weekly_backfill_builds_the_days_and_their_windows_as_dagster_maps_them(
    seaweed: SeaweedS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two cadences up: the week's days (Dagster's weekly → daily mapping) and their windows (daily → 6-hourly of
    those days), each built once before the week; the stored objects equal Dagster's runs in dependency order."""
    week = "2026-11-22"
    env = {**os.environ, "PYTHONPATH": str(REPO), **seaweed.env(f"cadence-weeks-{os.getpid()}")}
    settings = _settings(tmp_path)
    replayed = replay_backfill(tmp_path, env, QUARTERS, settings, "quarter_weeks_job_schedule", (week, week), 3, 3)
    output = replayed.output

    days = _quarters_mapping("quarter_weeks", "quarter_days", {week})
    windows = _quarters_mapping("quarter_days", "quarters", days)
    assert (len(days), len(windows)) == (7, 28)

    def started(task: str) -> list[str]:
        return re.findall(rf"^▶ {task}\(\d+:([0-9:-]+)\)", output, re.MULTILINE)

    assert sorted(started("upstream-quarters")) == sorted(windows)
    assert sorted(started("upstream-quarter-days")) == sorted(days)

    for name, value in seaweed.env(f"cadence-weeks-dagster-{os.getpid()}").items():
        monkeypatch.setenv(name, value)
    defs = _quarters_defs()
    for key in sorted(windows):
        assert defs.resolve_job_def("quarters_job").execute_in_process(partition_key=key).success
    for day in sorted(days):
        assert defs.resolve_job_def("quarter_days_job").execute_in_process(partition_key=day).success
    assert defs.resolve_job_def("quarter_weeks_job").execute_in_process(partition_key=week).success
    argo_store = ObjectStore(
        endpoint=env["MINIO_ENDPOINT"], access_key=env["MINIO_ACCESS_KEY"],
        secret_key=env["MINIO_SECRET_KEY"], bucket=env["MINIO_BUCKET"],
    )  # fmt: skip
    assert _stored(argo_store) == _stored(ObjectStore.from_env())
