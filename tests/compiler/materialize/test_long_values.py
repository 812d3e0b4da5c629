"""Issue 29 item 17: a 10,000-character workflow parameter is named in every log line, never echoed whole.

Real subprocesses: `materialize` and `schedule-gate` as a pod runs them, and run-local replaying a compiled
WorkflowTemplate whose pods then fail on the parameter (run-local shows their last lines).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.compiler.fidelity_support import build, run_local
from tests.compiler.materialize.test_materialize_command import materialize

LONG = "vienna|" + "x" * (10_000 - len("vienna|"))
LINE_LIMIT = 500  # what one log line may take; the shortened value itself is ~140 characters
# run-local's `▶ task: command` line is as long as the pod's command (absolute paths, --task triples) with any
# parameter: it may hold the shortened value, never more
COMMAND_LIMIT = 1_000
NOTE = "… (10,000 characters)"
REPO = Path(__file__).resolve().parents[3]


def assert_short_lines(output: str) -> None:
    too_long = [
        len(line)
        for line in output.splitlines()
        if len(line) > (COMMAND_LIMIT if line.startswith("▶ ") else LINE_LIMIT)
    ]
    assert too_long == [], output[:2000]
    assert LONG not in output


@pytest.mark.parametrize(
    ("option", "named"),
    [
        ("--partition", "partition 'vienna|xxx"),
        ("--scheduled-time", "--scheduled-time 'vienna|xxx"),
        ("--asset", "asset key 'vienna|xxx"),
    ],
)
def test_materialize_names_a_huge_parameter_in_short_lines(tmp_path: Path, option: str, named: str) -> None:
    args = ["--asset", "fixture/raw", "--scheduled-time", "2026-11-28T00:00:00Z", "--partition", ""]
    args[args.index(option) + 1] = LONG
    result = materialize(tmp_path, *args)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert_short_lines(output)
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("materialize: bad usage: "), last
    assert named in last, last
    assert NOTE in last, last


def gate(*args: str) -> subprocess.CompletedProcess[str]:
    module = "tests.compiler.projects.fidelity.schedule_gate_fan_out"
    return subprocess.run(
        [sys.executable, "-m", "compiler", "schedule-gate", "--module", module, *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_schedule_gate_names_a_huge_schedule_or_partition_in_short_lines(tmp_path: Path) -> None:
    task = ("--task", "each-city-prices", "city_prices,city_report", str(tmp_path / "out"), "--fan-out")
    unknown = gate("--schedule", LONG, *task, "each-city-prices")
    assert unknown.returncode == 2, unknown.stdout + unknown.stderr
    assert_short_lines(unknown.stdout + unknown.stderr)
    assert "no schedule named 'vienna|xxx" in unknown.stdout
    assert NOTE in unknown.stdout

    given = gate("--schedule", "city_days", "--partition", LONG, *task, "each-city-prices")
    assert given.returncode == 0, given.stdout + given.stderr
    assert_short_lines(given.stdout + given.stderr)
    assert f"{NOTE} was given: every task runs" in given.stdout


def test_run_local_with_a_huge_partition_parameter_prints_short_lines(tmp_path: Path) -> None:
    built = build(tmp_path, "schedule_gate_fan_out")
    assert built.returncode == 0, built.stderr
    replay = run_local(tmp_path, "--entrypoint", "job-city-job", "-p", "schedule=city_days", "-p", f"partition={LONG}")
    output = replay.stdout + replay.stderr
    assert replay.returncode == 1, output
    assert_short_lines(output)
    started = [line for line in replay.stdout.splitlines() if line.startswith("▶ ")]
    assert started, replay.stdout
    assert all(NOTE in line for line in started if "--partition" in line), started
    # each city's pod refused the partition (exit 2, not retried) and run-local shows its last line, shortened
    refusals = [line for line in replay.stdout.splitlines() if "bad usage: partition 'vienna|xxx" in line]
    assert len(refusals) == 2, output[-3000:]
    assert all(NOTE in line for line in refusals), refusals
