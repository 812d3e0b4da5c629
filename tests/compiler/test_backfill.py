"""`python -m compiler backfill`: a valid Workflow over exactly the requested partitions, or exit 2 saying why."""

import re
from pathlib import Path

import yaml

from tests.compiler.argo_schema import schema_errors
from tests.compiler.support import REPO, run_compiler


def _backfill(*arguments: str) -> tuple[int, str, str]:
    result = run_compiler("backfill", "--schedule", "air_quality_nightly", *arguments, cwd=REPO)
    return result.returncode, result.stdout, result.stderr


def test_the_workflow_runs_the_schedules_dag_per_partition_at_most_n_at_a_time(tmp_path: Path) -> None:
    code, _, stderr = _backfill("--start", "2026-10-24", "--end", "2026-10-27", "--parallelism", "3", "--out",
                                str(tmp_path / "b.yaml"))  # fmt: skip
    assert code == 0, stderr
    document = yaml.safe_load((tmp_path / "b.yaml").read_text())
    assert schema_errors(document) == []
    assert document["kind"] == "Workflow"
    assert document["metadata"]["name"] == "air-quality-nightly-backfill-2026-10-24-2026-10-27"  # fixed: no rerun
    [template] = document["spec"]["templates"]
    assert template["parallelism"] == 3
    assert template["dag"]["failFast"] is False
    [task] = template["dag"]["tasks"]
    # the schedule's job DAG, as its CronWorkflow's entrypoint: the nightly assets, not the event-driven summary
    assert task["templateRef"] == {"name": "air-quality", "template": "job-air-quality-daily"}
    assert task["withItems"] == ["2026-10-24", "2026-10-25", "2026-10-26", "2026-10-27"]
    assert task["arguments"]["parameters"] == [{"name": "partition", "value": "{{item}}"}]
    parameters = {p["name"]: p["value"] for p in document["spec"]["arguments"]["parameters"]}
    # the sensor's object-key and sensor too: the steps name them, and Argo resolves a templateRef's
    # {{workflow.parameters.X}} against this Workflow, which fails on one it does not declare
    # (object-static-key: read by the Sensor's entrypoint on the fanned-out summary job, builder/object_fan_out.py)
    events = {"object-key": "", "sensor": "", "object-static-key": ""}
    run_config = {"run_config": ""}  # daily_summary reads config: the steps pass the run_config parameter on
    expected = {"partition": "", "schedule": "air_quality_nightly", "cronScheduleTime": ""} | events | run_config
    assert parameters == expected
    # What the WorkflowTemplate's steps rely on at the workflow level is there too (templateRef brings templates only).
    template_text = (REPO / "argo_out" / "air-quality.workflowtemplate.yaml").read_text()
    assert set(re.findall(r"\{\{workflow\.parameters\.([A-Za-z0-9_-]+)\}\}", template_text)) <= set(parameters)
    template_spec = yaml.safe_load(template_text)["spec"]
    for field in ("serviceAccountName", "securityContext", "volumes", "podGC", "ttlStrategy"):
        assert document["spec"][field] == template_spec[field], field
    assert document["spec"]["activeDeadlineSeconds"] == template_spec["activeDeadlineSeconds"] * 2  # two waves


def test_printed_to_stdout_without_out() -> None:
    code, stdout, _ = _backfill("--start", "2026-10-24", "--end", "2026-10-24")
    assert code == 0
    assert yaml.safe_load(stdout)["spec"]["templates"][0]["dag"]["tasks"][0]["withItems"] == ["2026-10-24"]


def test_bad_ranges_and_names_are_usage_errors() -> None:
    for arguments, expected in [
        (("--start", "2026-10-27", "--end", "2026-10-24"), "is after --end"),
        (("--start", "2026-13-01", "--end", "2026-10-24"), "--start '2026-13-01' is not a partition"),
        (("--start", "2026-10-24", "--end", "2026-10-25", "--parallelism", "0"), "--parallelism must be at least 1"),
    ]:
        code, stdout, stderr = _backfill(*arguments)
        assert code == 2, stderr
        assert expected in stderr
        assert stdout == ""
        assert "Traceback" not in stderr
    result = run_compiler("backfill", "--schedule", "weekly", "--start", "2026-10-24", "--end", "2026-10-24", cwd=REPO)
    assert result.returncode == 2
    assert "no such schedule; known: air_quality_nightly" in result.stderr
