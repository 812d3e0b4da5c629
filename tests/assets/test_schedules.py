"""Where the nightly schedule starts: running where it is deployed (the committed CronWorkflow is not suspended),
stopped where `make dev` serves it (tests/devservices/test_dagster_dev.py asks the real UI)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dagster import DefaultScheduleStatus

from assets.schedules import SCHEDULES_VARIABLE, ScheduleSettingError, default_schedule_status

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (None, DefaultScheduleStatus.RUNNING),
        ("", DefaultScheduleStatus.RUNNING),
        ("running", DefaultScheduleStatus.RUNNING),
        ("stopped", DefaultScheduleStatus.STOPPED),
        (" Stopped\n", DefaultScheduleStatus.STOPPED),
    ],
)
def test_the_schedule_runs_unless_told_to_start_stopped(value: str | None, status: DefaultScheduleStatus) -> None:
    assert default_schedule_status({} if value is None else {SCHEDULES_VARIABLE: value}) == status


def test_a_misspelt_value_is_one_line_naming_the_variable_and_the_choices() -> None:
    with pytest.raises(ScheduleSettingError) as raised:
        default_schedule_status({SCHEDULES_VARIABLE: "paused"})
    assert str(raised.value) == "AIR_QUALITY_SCHEDULES='paused' must be 'running' or 'stopped' (or unset, for running)"


def test_the_committed_cronworkflow_ticks_once_applied() -> None:
    """The dev switch never reaches the cluster: argo_out/ (checked fresh by `build --check` in CI) is not suspended."""
    cron = yaml.safe_load((REPO / "argo_out" / "air-quality-nightly.cronworkflow.yaml").read_text(encoding="utf-8"))
    assert not cron["spec"].get("suspend", False)


def test_the_dev_switch_would_show_in_a_build_check(tmp_path: Path) -> None:
    """Exported by mistake in a shell that builds, the switch makes `build --check` fail instead of committing a
    suspended CronWorkflow unnoticed."""
    result = subprocess.run(
        [sys.executable, "-m", "compiler", "build", "--check"],
        cwd=REPO,
        env={**os.environ, SCHEDULES_VARIABLE: "stopped"},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "suspend: true" in result.stdout + result.stderr
