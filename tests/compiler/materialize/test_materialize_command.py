"""`materialize` as a pod runs it: a subprocess against a real Dagster code location on disk."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECTS = Path(__file__).parent / "projects"


def materialize(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(PROJECTS), os.environ.get("PYTHONPATH", "")]),
        "FIXTURE_MARKER_DIR": str(tmp_path / "markers"),
        "FIXTURE_IO_DIR": str(tmp_path / "io"),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "compiler.materialize", "--module", "pod_fixture_project", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout.strip().splitlines()[-1]


def markers(tmp_path: Path) -> set[str]:
    return {p.name for p in (tmp_path / "markers").iterdir()} if (tmp_path / "markers").exists() else set()


def test_scheduled_tick_materializes_the_previous_vienna_day(tmp_path):
    # Argo's RFC 3339 tick for 01:00 Vienna on 2026-11-28; the partition parameter is empty, as in a cron run.
    result = materialize(
        tmp_path, "--asset", "fixture/raw", "--scheduled-time", "2026-11-28T00:00:00Z", "--partition", ""
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert markers(tmp_path) == {"raw-2026-11-27"}
    assert (tmp_path / "io" / "fixture" / "raw" / "2026-11-27").is_file()  # stored by the project's IO manager
    assert "fixture/raw" in last_line(result)
    assert "2026-11-27" in last_line(result)


def test_manual_submit_takes_the_partition_from_the_workflow_creation_time(tmp_path):
    # No tick (literal placeholder, empty partition): created 00:30 Vienna on 2026-11-28 → the 27th, whatever
    # the pod's own clock says.
    result = materialize(
        tmp_path,
        "--asset",
        "fixture/raw",
        "--scheduled-time",
        "{{workflow.scheduledTime}}",
        "--created-time",
        "2026-11-27T23:30:00Z",
        "--partition",
        "",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert markers(tmp_path) == {"raw-2026-11-27"}


def test_downstream_pod_reads_upstream_output_through_the_io_manager(tmp_path):
    placeholder = "{{workflow.scheduledTime}}"  # a manual submit: Argo leaves the literal in place
    for asset in ("fixture/raw", "fixture/clean"):
        result = materialize(tmp_path, "--asset", asset, "--partition", "2025-06-15", "--scheduled-time", placeholder)
        assert result.returncode == 0, result.stdout
    assert markers(tmp_path) == {"raw-2025-06-15", "clean-2025-06-15"}
    clean = json.loads((tmp_path / "markers" / "clean-2025-06-15").read_text())
    assert clean == {"day": "2025-06-15", "reading": "41", "value": 42}


def test_unknown_asset_key_exits_2_and_lists_known_keys(tmp_path):
    result = materialize(tmp_path, "--asset", "fixture/nope")
    assert result.returncode == 2
    line = last_line(result)
    assert "fixture/nope" in line
    assert "fixture/raw" in line
    assert "fixture/checked" in line


def test_partition_missing_from_the_definition_exits_2(tmp_path):
    result = materialize(tmp_path, "--asset", "fixture/raw", "--partition", "2023-12-31")
    assert result.returncode == 2
    assert "2023-12-31" in last_line(result)
    assert markers(tmp_path) == set()


def test_failing_asset_ends_with_a_one_line_summary_naming_the_cause(tmp_path):
    result = materialize(tmp_path, "--asset", "fixture/broken")
    assert result.returncode == 1
    line = last_line(result)
    assert line.startswith("materialize: FAILED asset=fixture/broken")
    assert "station table is empty; check the fixture input" in line


def test_retry_policy_is_not_applied_inside_the_pod(tmp_path):
    # The asset has RetryPolicy(max_retries=3); Argo's retryStrategy owns retries, so exactly one attempt here.
    result = materialize(tmp_path, "--asset", "fixture/flaky")
    assert result.returncode == 1
    assert (tmp_path / "markers" / "flaky-attempts").read_text() == "1"
    assert "flaky attempt 1 failed on purpose" in last_line(result)


def test_failing_blocking_asset_check_fails_the_command(tmp_path):
    result = materialize(tmp_path, "--asset", "fixture/checked")
    assert result.returncode != 0
    assert "checked-materialized" in markers(tmp_path)  # the asset ran; its check blocked the step
    line = last_line(result)
    assert "checked_non_negative" in line
    assert "negative reading -5" in line


@pytest.mark.parametrize("value", ["2026-11-28 01:00", "tomorrow"])
def test_unparseable_scheduled_time_exits_2(tmp_path, value):
    result = materialize(tmp_path, "--asset", "fixture/raw", "--scheduled-time", value)
    assert result.returncode == 2
    assert "--scheduled-time" in last_line(result)


def test_the_asset_body_runs_with_the_collector_on_and_the_start_up_frozen(tmp_path):
    # compiler/materialize/collection.py: no collections during imports and set-up, the usual ones during the step
    gc_file = tmp_path / "gc.json"
    result = materialize(
        tmp_path, "--asset", "fixture/raw", "--partition", "2026-11-27", env={"FIXTURE_GC_FILE": str(gc_file)}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    state = json.loads(gc_file.read_text(encoding="utf-8"))
    assert state["enabled"] is True
    assert state["frozen"] > 100_000  # Dagster and the code location, imported before the step: never rescanned


def test_the_pod_rebuilds_its_job_without_importing_dagsters_test_utilities(tmp_path):
    """compiler/materialize/reconstruction.py: Dagster's `def_from_pointer` imports `dagster._utils.test` (SQLite
    storage, alembic, the daemon: ~0.45 CPU-s) for one isinstance check; the pod's step runs without it loaded."""
    gc_file = tmp_path / "gc.json"
    result = materialize(
        tmp_path, "--asset", "fixture/raw", "--partition", "2026-11-27", env={"FIXTURE_GC_FILE": str(gc_file)}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(gc_file.read_text(encoding="utf-8"))["test_utilities"] is False


def test_the_reconstruction_module_answers_as_dagsters_own_import():
    """The module loaded without its package is Dagster's file: the same LazyDefinitions class, and afterwards the
    package imports the usual way, with that submodule."""
    code = (
        "import sys, dagster\n"
        "from compiler.materialize.reconstruction import without_test_utilities\n"
        "with without_test_utilities():\n"
        "    from dagster._utils.test.definitions import LazyDefinitions as inside\n"
        "    assert 'dagster._utils.test' not in sys.modules\n"
        "assert 'dagster._utils.test.definitions' not in sys.modules\n"
        "import dagster._utils.test.definitions as real\n"
        "from dagster.components.definitions import LazyDefinitions\n"
        "assert inside is real.LazyDefinitions is LazyDefinitions\n"
        "assert sys.modules['dagster._utils.test'].definitions is real\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("entry", [["-m", "compiler", "materialize"], ["-m", "compiler.materialize"]])
def test_no_full_collection_runs_before_the_step_imports_included(tmp_path, entry):
    """Both pod entry points pause the collector before the CLI imports Dagster (compiler/materialize/collection.py):
    with the collector on during those imports, CPython ran a full (generation 2) collection before the asset body."""
    gc_file = tmp_path / "gc.json"
    result = subprocess.run(
        [
            sys.executable,
            *entry,
            "--module",
            "pod_fixture_project",
            "--asset",
            "fixture/raw",
            "--partition",
            "2026-11-27",
        ],
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(PROJECTS), os.environ.get("PYTHONPATH", "")]),
            "FIXTURE_MARKER_DIR": str(tmp_path / "markers"),
            "FIXTURE_IO_DIR": str(tmp_path / "io"),
            "FIXTURE_GC_FILE": str(gc_file),
        },
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    state = json.loads(gc_file.read_text(encoding="utf-8"))
    assert state["enabled"] is True
    assert state["collections"][2]["collections"] == 0


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--asset", "fixture/raw,fixture/clean", "--fused", "--attempt", "first"], "'first' is not a retry number"),
        (["--asset", "fixture/raw,fixture/clean", "--fused", "--attempt", "-1"], "'-1' is not a retry number"),
        (["--asset", "fixture/raw", "--attempt", "1"], "--attempt applies to a fused chain only"),
    ],
)
def test_a_bad_attempt_exits_2_before_anything_runs(tmp_path, args, named):
    result = materialize(tmp_path, *args, "--partition", "2025-06-15")
    assert result.returncode == 2
    assert named in last_line(result)
    assert markers(tmp_path) == set()


@pytest.mark.parametrize("attempt", [None, "", "{{retries}}", "0"])
def test_a_first_attempt_runs_the_whole_fused_chain(tmp_path, attempt):
    """Absent, empty, Argo's literal (no retryStrategy) or 0: the first pod of the task, which never resumes."""
    extra = [] if attempt is None else ["--attempt", attempt]
    result = materialize(
        tmp_path, "--asset", "fixture/raw,fixture/clean", "--partition", "2025-06-15", "--fused", *extra
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert "resume: first attempt (Argo's retries = 0); running the whole chain" in result.stdout
    assert markers(tmp_path) == {"raw-2025-06-15", "clean-2025-06-15"}
