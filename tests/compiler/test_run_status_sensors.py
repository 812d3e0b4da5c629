"""Issue 27 item 2: alert-only run status sensors compile to the exit handler (spec.onExit). Each job runs both
ways: Dagster in process with the sensors ticked by Dagster's own evaluation (before the run: the cursor; after:
what the daemon would do), and the compiled WorkflowTemplate through run-local; the sensor bodies that ran (and what
run they saw) must agree. Run-requesting and other statuses stay refused, naming the sensor."""

from pathlib import Path

import dagster as dg
import pytest
import yaml

from compiler.builder.load import project_from_definitions
from compiler.errors import UnsupportedInputError
from tests.compiler.fidelity_support import build, run_local
from tests.compiler.projects.fidelity.record import runs


def _dagster_runs(job: str, record: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The job in process, then each run status sensor's tick as Dagster's daemon evaluates it."""
    from tests.compiler.projects.fidelity import run_status as project

    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(record))
    instance = dg.DagsterInstance.ephemeral()
    repository = project.defs.get_repository_def()
    sensors = (project.on_failure, project.on_success)
    cursors = {
        sensor.name: sensor.evaluate_tick(dg.build_sensor_context(instance=instance, repository_def=repository)).cursor
        for sensor in sensors
    }
    project.defs.resolve_job_def(job).execute_in_process(instance=instance, raise_on_error=False)
    for sensor in sensors:
        context = dg.build_sensor_context(instance=instance, repository_def=repository, cursor=cursors[sensor.name])
        sensor.evaluate_tick(context)
    return runs(record)


@pytest.mark.parametrize(("job", "succeeds"), [("nightly", False), ("daily", True)])
def test_run_status_sensors_alert_once_as_dagster_evaluates_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, job: str, succeeds: bool
) -> None:
    dagster_runs = _dagster_runs(job, tmp_path / "dagster-record", monkeypatch)
    status = "SUCCESS" if succeeds else "FAILURE"
    assert dagster_runs[-1] == f"on_{'success' if succeeds else 'failure'} {job} {status}"  # Dagster's answer

    built = build(tmp_path, "run_status")
    assert built.returncode == 0, built.stderr
    assert "warning: sensor on_failure: runs in each Workflow's exit handler" in built.stderr
    replay = run_local(tmp_path, "--entrypoint", f"job-{job}")
    assert replay.returncode == (0 if succeeds else 1), replay.stdout + replay.stderr
    assert runs(tmp_path / "argo-record") == dagster_runs


def test_the_exit_handler_is_only_there_with_run_status_sensors(tmp_path: Path) -> None:
    built = build(tmp_path, "run_status")
    assert built.returncode == 0, built.stderr
    document = yaml.safe_load((tmp_path / "out" / "fidelity.workflowtemplate.yaml").read_text(encoding="utf-8"))
    templates = {template["name"]: template for template in document["spec"]["templates"]}
    handler = templates[document["spec"]["onExit"]]
    assert {task["arguments"]["parameters"][0]["value"] for task in handler["dag"]["tasks"]} == {
        "on_failure",
        "on_success",
    }
    (tmp_path / "plain").mkdir()
    plain = build(tmp_path / "plain", "retries")
    assert plain.returncode == 0, plain.stderr
    text = (tmp_path / "plain" / "out" / "fidelity.workflowtemplate.yaml").read_text(encoding="utf-8")
    assert "onExit" not in text


@dg.asset
def _an_asset() -> None:
    pass


_job = dg.define_asset_job("the_job", [_an_asset])
_other = dg.define_asset_job("other_job", [_an_asset])


def _refusal(sensor: dg.SensorDefinition) -> str:
    defs = dg.Definitions(assets=[_an_asset], jobs=[_job, _other], sensors=[sensor])
    with pytest.raises(UnsupportedInputError) as raised:
        project_from_definitions("tests.compiler.test_run_status_sensors", defs)
    return str(raised.value)


def test_a_run_status_sensor_requesting_runs_is_no_exit_handler_but_an_argo_events_trigger() -> None:
    @dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[_job], request_job=_other)
    def then_other(context: dg.RunStatusSensorContext) -> dg.RunRequest:
        return dg.RunRequest()

    defs = dg.Definitions(assets=[_an_asset], jobs=[_job, _other], sensors=[then_other])
    project = project_from_definitions("tests.compiler.test_run_status_sensors", defs)
    assert project.status_alerts == ()  # compiler/builder/run_triggers.py: tests/compiler/events/test_run_request_*
    assert [(t.sensor, t.jobs, t.requested) for t in project.run_triggers] == [
        ("then_other", ("the_job",), ("other_job",))
    ]


def test_a_status_argo_has_no_end_for_is_refused_by_name() -> None:
    @dg.run_status_sensor(run_status=dg.DagsterRunStatus.STARTED, monitored_jobs=[_job])
    def on_start(context: dg.RunStatusSensorContext) -> None:
        pass

    message = _refusal(on_start)
    assert message.startswith("sensor on_start: run_status STARTED is not compiled")


def test_monitoring_every_code_location_is_refused_by_name() -> None:
    @dg.run_failure_sensor(monitor_all_code_locations=True)
    def everywhere(context: dg.RunFailureSensorContext) -> None:
        pass

    assert _refusal(everywhere).startswith("sensor everywhere: monitor_all_code_locations is not compiled")


def test_validate_checks_that_on_exit_names_a_template() -> None:
    from compiler.validate import validate_manifest
    from tests.compiler.test_validate import _template

    document = _template()
    document["spec"]["onExit"] = "main"
    assert validate_manifest(document) == []
    document["spec"]["onExit"] = "no-such-handler"
    assert "spec.onExit: template 'no-such-handler' does not exist" in validate_manifest(document)


def test_an_alert_that_raises_fails_the_succeeded_workflow_in_one_line(tmp_path: Path) -> None:
    built = build(tmp_path, "run_status_raises")
    assert built.returncode == 0, built.stderr
    assert "a body that raises fails the Workflow" in built.stderr  # the difference from Dagster, warned
    replay = run_local(tmp_path, "--entrypoint", "job-daily")
    output = replay.stdout + replay.stderr
    assert replay.returncode == 1, output  # Argo: a Succeeded entrypoint whose exit handler failed ends Failed
    assert runs(tmp_path / "argo-record") == ["fine", "broken_alert"]
    assert (
        "run-status-sensor: FAILED sensor broken_alert for job daily: RuntimeError: the chat service refused the "
        "message" in output
    )
    assert "Traceback" not in output


def test_a_sensor_monitoring_every_job_alerts_for_each_job_dagster_lists() -> None:
    from compiler.builder.pipeline import compile_project
    from tests.compiler.support import demo_settings

    @dg.run_failure_sensor
    def any_failure(context: dg.RunFailureSensorContext) -> None:
        pass

    defs = dg.Definitions(assets=[_an_asset], jobs=[_job, _other], sensors=[any_failure])
    dagster_jobs = {job.name for job in defs.get_repository_def().get_all_jobs()}  # with the implicit __ASSET_JOB
    result = compile_project(project_from_definitions("tests.compiler.test_run_status_sensors", defs), demo_settings())
    [text] = [text for name, text in result.files.items() if name.endswith(".workflowtemplate.yaml")]
    document = yaml.safe_load(text)
    templates = {template["name"]: template for template in document["spec"]["templates"]}
    tasks = templates[document["spec"]["onExit"]]["dag"]["tasks"]
    alerted = {task["arguments"]["parameters"][1]["value"]: task["when"] for task in tasks}
    assert set(alerted) == dagster_jobs
    assert "'{{workflow.mainEntrypoint}}' == 'main'" in alerted["__ASSET_JOB"]
    assert "'{{workflow.mainEntrypoint}}' == 'job-the-job'" in alerted["the_job"]


def test_a_returned_run_request_is_one_item_not_its_fields() -> None:
    """RunRequest and SkipReason are NamedTuples: the pod must see the request itself (and refuse it, exit 2)."""
    from compiler.materialize.run_status import as_list

    request = dg.RunRequest(run_key="k")
    assert as_list(request) == [request]
    assert as_list(dg.SkipReason("no")) == [dg.SkipReason("no")]
    assert as_list(iter([request, None])) == [request, None]
    assert as_list(None) == []
