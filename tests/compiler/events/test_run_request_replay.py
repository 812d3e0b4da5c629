"""Acceptance, issue 27 item 2: run status sensors that REQUEST runs, compiled to a resource EventSource on the
project's Workflows. Each monitored job runs both ways. Dagster: the job in process, then each run status sensor's
tick as its daemon evaluates it (cursor taken before the run), then every run it requested, in process. Argo: the
job's DAG through run-local, then run-events reports that Workflow ended (shaped as Argo's API returns it, in the
phase run-local ended it in) to the compiled EventSources, applies the Sensors' filters as the YAML writes them and
replays each Workflow they create. The assets that ran must be the same: the requested job's, or none when the body
skips or the status does not match."""

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import yaml

from compiler.run_events.workflow_source import ended_workflow
from tests.compiler.fidelity_support import REPO, build, run_local
from tests.compiler.projects.fidelity.record import runs

PROJECT = "run_requests"


def _dagster_runs(job: str, record: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Dagster's answer: the job, each sensor's tick after it, and the runs the ticks requested."""
    from tests.compiler.projects.fidelity import run_requests as project

    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(record))
    repository = project.defs.get_repository_def()
    sensors = (project.retry_on_failure, project.report_after_success)
    with dg.DagsterInstance.ephemeral() as instance:
        cursors = {}
        for sensor in sensors:
            with dg.build_sensor_context(instance=instance, repository_def=repository) as context:
                cursors[sensor.name] = sensor.evaluate_tick(context).cursor
        project.defs.resolve_job_def(job).execute_in_process(instance=instance, raise_on_error=False)
        for sensor in sensors:
            with dg.build_sensor_context(
                instance=instance, repository_def=repository, cursor=cursors[sensor.name]
            ) as context:
                result = sensor.evaluate_tick(context)
            for request in result.run_requests or []:
                requested = request.job_name or sensor.targets[0].job_name
                project.defs.resolve_job_def(requested).execute_in_process(
                    instance=instance, tags=request.tags, partition_key=request.partition_key
                )
    return runs(record)


def _run_events(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compiler", "run-events", str(tmp_path / "out"), *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.timeout(900)
@pytest.mark.parametrize(
    ("job", "expected"),
    [
        ("nightly", ["breaks", "recovered"]),  # failed: retry_on_failure requests recover
        ("flaky", ["flaky_asset"]),  # failed: the body's SkipReason
        ("daily", ["daily_report", "fine"]),  # succeeded: report_after_success picks report_daily
        ("weekly", ["weekly_asset", "weekly_report"]),  # ... and report_weekly for weekly
    ],
)
def test_dagster_and_the_compiled_sensors_request_the_same_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, job: str, expected: list[str]
) -> None:
    dagster_runs = _dagster_runs(job, tmp_path / "dagster-record", monkeypatch)
    assert sorted(dagster_runs) == expected  # Dagster's own answer, as the fixture's bodies mean it

    built = build(tmp_path, PROJECT)
    assert built.returncode == 0, built.stderr
    assert "warning: sensor retry_on_failure: Argo Events' resource EventSource" in built.stderr
    ran = run_local(tmp_path, "--entrypoint", f"job-{job}")
    assert ran.returncode in (0, 1), ran.stdout + ran.stderr
    phase = "Succeeded" if ran.returncode == 0 else "Failed"
    state = str(tmp_path / "state.json")
    replay = _run_events(tmp_path, "--ended", f"job-{job}:{phase}", "--state", state)
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert sorted(runs(tmp_path / "argo-record")) == sorted(dagster_runs)

    again = _run_events(tmp_path, "--ended", f"job-{job}:{phase}", "--state", state)  # a redelivered event
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 Workflow(s) created" in again.stdout, again.stdout
    assert sorted(runs(tmp_path / "argo-record")) == sorted(dagster_runs)  # nothing ran twice


def test_run_events_takes_a_workflow_object_as_kubectl_prints_it(tmp_path: Path) -> None:
    built = build(tmp_path, PROJECT)
    assert built.returncode == 0, built.stderr
    template = yaml.safe_load((tmp_path / "out" / "fidelity.workflowtemplate.yaml").read_text(encoding="utf-8"))
    workflow = tmp_path / "workflow.json"
    # weekly ended in Error: no sensor monitors weekly's failures, and report_after_success wants Succeeded
    workflow.write_text(json.dumps(ended_workflow(template, "weekly-x1", "job-weekly", "Error")), encoding="utf-8")
    replay = _run_events(tmp_path, "--workflow", str(workflow))
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert "0 Workflow(s) created, 0 failed, 0 already existed, 7 event(s) filtered out" in replay.stdout
    assert runs(tmp_path / "argo-record") == []
    workflow.write_text(json.dumps({"kind": "Pod"}), encoding="utf-8")
    refused = _run_events(tmp_path, "--workflow", str(workflow))
    assert refused.returncode == 2
    assert "not a Workflow object" in refused.stderr
