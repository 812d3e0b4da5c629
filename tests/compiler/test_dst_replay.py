"""Issue 26 item 1: `run-local` replays of the daylight-saving days. The compiled CronWorkflows of
tests/compiler/projects/fidelity/dst_daily.py are replayed on every tick robfig fires (compiler/validate/robfig.py,
on the YAML's own `schedules` and `timezone`) around the 2026 switches, each as its own workflow with that
`{{workflow.scheduledTime}}`; the partitions the replayed pods record must be the ones Dagster's own ticks request,
built by Dagster in process."""

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
import yaml
from dagster._utils.schedules import schedule_execution_time_iterator

from compiler.validate import validate_manifest
from compiler.validate.robfig import argo_schedules, argo_ticks
from compiler.validate.ticks import offset_changes, span
from tests.compiler.fidelity_support import REPO, build, run_local
from tests.compiler.projects.fidelity.record import runs

HOUR = 3600


@pytest.fixture(scope="module")
def dst_daily(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/compiler/projects/fidelity/dst_daily.py built once (into `out/`) for every test here; its pods record
    into `argo-record/`, which each test empties first."""
    folder = tmp_path_factory.mktemp("dst-daily")
    built = build(folder, "dst_daily")
    assert built.returncode == 0, built.stderr
    return folder


def _cron_workflow(tmp_path: Path, schedule: str) -> dict[str, Any]:
    [path] = [
        p
        for p in (tmp_path / "out").glob("*.cronworkflow.yaml")
        if yaml.safe_load(p.read_text(encoding="utf-8"))["metadata"]["annotations"]["dagster.io/schedule"] == schedule
    ]
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _dagster_partitions(
    schedule_name: str, low: int, high: int, record: Path, monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """Dagster's ticks in (low, high), each evaluated and its run executed in process."""
    from tests.compiler.projects.fidelity.dst_daily import defs

    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(record))
    repository = defs.get_repository_def()
    schedule = repository.get_schedule_def(schedule_name)
    job = defs.resolve_job_def(schedule.job_name)
    for tick in schedule_execution_time_iterator(low, schedule.cron_schedule, schedule.execution_timezone):
        if tick.timestamp() >= high:
            break
        with dg.build_schedule_context(scheduled_execution_time=tick, repository_def=repository) as context:
            for request in schedule.evaluate_tick(context).run_requests or []:
                result = job.execute_in_process(
                    instance=dg.DagsterInstance.ephemeral(), partition_key=request.partition_key
                )
                assert result.success
    return runs(record)


# Each window holds the Argo ticks that differ from an ordinary day's, each replay being a run-local process:
# Vienna, 12 h either side: spring's added 03:00 entry (02:30 does not exist), fall's 02:30 before and after the
# switch (robfig fires both; the gate skips the second). Beirut, a day before to 2 h after: an ordinary day's two
# entries (00:00 and the 01:00 the gate skips) and the switch day, on which midnight does not exist.
@pytest.mark.parametrize(
    ("schedule", "timezone", "entrypoint", "switches", "around"),
    [
        ("vienna_0230", "Europe/Vienna", "job-vienna-job", (0, 1), (12 * HOUR, 12 * HOUR)),
        ("beirut_midnight", "Asia/Beirut", "job-beirut-job", (0,), (26 * HOUR, 2 * HOUR)),
    ],
)
def test_replaying_every_argo_tick_around_the_switches_builds_dagsters_partitions(
    dst_daily: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, schedule: str, timezone: str, entrypoint: str,
    switches: tuple[int, ...], around: tuple[int, int],
) -> None:  # fmt: skip
    (dst_daily / "argo-record" / "runs.log").unlink(missing_ok=True)  # the replays record here, test by test
    cron = _cron_workflow(dst_daily, schedule)
    assert validate_manifest(cron) == []
    assert cron["metadata"]["annotations"]["dagster.io/tick-filter"] == "schedule-gate"
    spec = cron["spec"]
    assert spec["timezone"] == timezone
    changes = offset_changes(timezone, *span((2026, 2026)))
    skipped = 0
    for index in switches:
        low, high = changes[index] - around[0], changes[index] + around[1]
        dagster = _dagster_partitions(schedule, low, high, tmp_path / f"dagster-{index}", monkeypatch)
        assert dagster  # the window holds a tick Dagster fires
        for instant in argo_ticks(argo_schedules(spec["schedules"], timezone), low, high):
            tick = datetime.fromtimestamp(instant, UTC).isoformat()
            replay = run_local(
                dst_daily, "--entrypoint", entrypoint, "-p", f"schedule={schedule}", "--scheduled-time", tick
            )
            assert replay.returncode == 0, replay.stdout + replay.stderr
            skipped += "skipped by when (" in replay.stdout  # the gate skipped the DAG's task
        argo = runs(dst_daily / "argo-record")
        (dst_daily / "argo-record" / "runs.log").unlink(missing_ok=True)
        assert sorted(argo) == sorted(dagster)
    assert skipped >= 1  # the switch windows hold at least one Argo tick that Dagster does not fire


def test_the_tick_listing_shows_the_skipped_ticks_and_every_day_built_once(dst_daily: Path) -> None:
    zone = ZoneInfo("Europe/Vienna")
    spring, fall = offset_changes("Europe/Vienna", *span((2026, 2026)))
    for change in (spring, fall):
        day = datetime.fromtimestamp(change, zone).date()
        listed = subprocess.run(
            [
                *(sys.executable, "-m", "compiler", "run-local", str(dst_daily / "out")),
                *(
                    "--schedule",
                    "vienna_0230",
                    "--from",
                    str(day - timedelta(days=2)),
                    "--to",
                    str(day + timedelta(days=2)),
                ),
            ],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert listed.returncode == 0, listed.stderr
        # spring: 03:00 (the added entry) builds the day before; fall: robfig's second 02:30 is skipped
        skipped = "skipped by the schedule-gate: no Dagster tick" in listed.stdout
        assert skipped == (change == fall)
        assert "more than one tick" not in listed.stdout
        assert "by no tick" not in listed.stdout
        built_keys = re.findall(r"  partition (\S+)$", listed.stdout, re.MULTILINE)
        expected = [(day + timedelta(days=n)).isoformat() for n in range(-3, 1)]  # each tick builds the day before
        assert built_keys == expected
