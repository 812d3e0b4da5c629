"""`run-local CRONWORKFLOW --from T1 --to T2`: Argo's ticks and each pod's partition, listed, nothing run."""

import itertools
import re
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from tests.assets.cities import day_key
from tests.compiler.support import REPO, run_compiler

ARGO_OUT = REPO / "argo_out"
CRON = "air-quality-nightly.cronworkflow.yaml"
VIENNA = ZoneInfo("Europe/Vienna")
LINE = re.compile(r"^(\S+)  \((\S+)\)  partition (\S+)$", re.MULTILINE)


def _switch_days(year: int) -> tuple[date, date]:
    """Vienna's (spring-forward, fall-back) local dates of `year`, from zoneinfo."""
    days = [datetime(year, 1, 1, 12, tzinfo=VIENNA) + timedelta(days=n) for n in range(365)]
    changes = [(a.date(), b.utcoffset() - a.utcoffset()) for a, b in itertools.pairwise(days)]  # type: ignore[operator]
    spring = next(day for day, change in changes if change > timedelta(0)) + timedelta(days=1)
    fall = next(day for day, change in changes if change < timedelta(0)) + timedelta(days=1)
    return spring, fall


def _last_partition_at(instant: datetime) -> str:
    """Dagster's own answer: the first city's key of the last complete day of the flagship's date × city
    partitions at that tick."""
    from dagster import MultiPartitionKey, MultiPartitionsDefinition

    from assets import defs
    from assets.city import CITY

    grid = defs.get_assets_def(["openaq", "raw_measurements"]).partitions_def
    assert isinstance(grid, MultiPartitionsDefinition)
    day = grid.get_partitions_def_for_dimension("date").get_partition_keys(current_time=instant)[-1]
    return str(MultiPartitionKey({"city": CITY.name, "date": day}))


def test_flagship_ticks_and_partitions_across_the_fall_switch() -> None:
    _, fall = _switch_days(2026)
    start, end = fall - timedelta(days=2), fall + timedelta(days=2)
    result = run_compiler("run-local", str(ARGO_OUT / CRON), "--from", str(start), "--to", str(end), cwd=REPO)
    assert result.returncode == 0, result.stderr
    lines = LINE.findall(result.stdout)
    assert len(lines) == 4  # 01:00 every day, the switch day included
    for local, utc, partition in lines:
        instant = datetime.fromisoformat(utc.replace("Z", "+00:00"))
        assert datetime.fromisoformat(local).astimezone(VIENNA).strftime("%H:%M") == "01:00"
        assert partition == _last_partition_at(instant)
    assert "more than one tick" not in result.stdout
    assert "by no tick" not in result.stdout
    assert "max parallel" not in result.stdout  # nothing ran


def _cron_at_0230(tmp_path: Path) -> Path:
    """The flagship CronWorkflow moved to 02:30, beside a copy of its WorkflowTemplate (as a user might edit it)."""
    for file in ARGO_OUT.glob("*.yaml"):
        shutil.copy(file, tmp_path / file.name)
    document = yaml.safe_load((tmp_path / CRON).read_text(encoding="utf-8"))
    document["spec"]["schedules"] = ["30 2 * * *"]
    (tmp_path / CRON).write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return tmp_path


def test_a_0230_schedule_shows_the_partition_built_twice_and_the_one_never_built(tmp_path: Path) -> None:
    directory = _cron_at_0230(tmp_path)
    spring, fall = _switch_days(2026)
    args = ["run-local", str(directory), "--schedule", "air_quality_nightly"]
    result = run_compiler(
        *args, "--from", str(fall - timedelta(days=2)), "--to", str(fall + timedelta(days=2)), cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    doubled = day_key((fall - timedelta(days=1)).isoformat())
    assert [p for _, _, p in LINE.findall(result.stdout)].count(doubled) == 2
    assert f"built by more than one tick: {doubled}" in result.stdout
    result = run_compiler(
        *args, "--from", str(spring - timedelta(days=2)), "--to", str(spring + timedelta(days=2)), cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    lost = (spring - timedelta(days=1)).isoformat()
    assert day_key(lost) not in [p for _, _, p in LINE.findall(result.stdout)]
    assert f"built by no tick: {lost}" in result.stdout  # the day, for every city


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = run_compiler("run-local", str(ARGO_OUT / CRON), "--from", "2026-10-01", cwd=REPO)
    assert result.returncode == 2
    assert "--to" in result.stderr
    template = next(ARGO_OUT.glob("*.workflowtemplate.yaml"))
    result = run_compiler("run-local", str(template), "--from", "2026-10-01", "--to", "2026-10-02", cwd=REPO)
    assert result.returncode == 2
    assert "CronWorkflow" in result.stderr
