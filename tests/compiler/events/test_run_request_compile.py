"""`build` of run status sensors that request runs (compiler/builder/run_triggers.py): a resource EventSource on
the project's Workflows and one Sensor per (monitored job, requested job), byte-stable, valid against Argo Events'
schema and the controller rules; the Role may watch Workflows only then; refusals name the sensor; the pod's
evaluation of the body (compiler/materialize/run_request.py) answers as Dagster's own tick does."""

from typing import Any

import dagster as dg
import pytest
import yaml

from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import compile_project
from compiler.errors import UnsupportedInputError
from compiler.materialize.asset_events import SensorSkipped
from compiler.materialize.loading import MaterializeUsageError
from compiler.materialize.run_request import request_for_ended_run
from compiler.run_events.sensors import Source, data_filters_pass
from compiler.run_events.workflow_source import accepts, ended_workflow, workflow_event
from compiler.settings import parse_settings
from compiler.validate.events import events_problems
from tests.compiler.events.events_schema import events_schema_errors
from tests.compiler.events.test_events_compile import SETTINGS
from tests.compiler.projects.fidelity import run_requests

SENSOR = "object-events-retry-on-failure-nightly-recover"


def _files(defs: dg.Definitions = run_requests.defs) -> dict[str, str]:
    settings = parse_settings(SETTINGS)
    return compile_project(project_from_definitions(run_requests.__name__, defs), settings).all_files


def _doc(files: dict[str, str], name: str) -> Any:
    return yaml.safe_load(files[name])


def test_a_run_requesting_sensor_compiles_to_a_resource_eventsource_and_sensors() -> None:
    files = _files()
    assert files == _files()  # determinism
    source = _doc(files, "object-events-retry-on-failure.eventsource.yaml")
    resource = source["spec"]["resource"]["workflow-ended"]
    assert (resource["group"], resource["version"], resource["resource"]) == ("argoproj.io", "v1alpha1", "workflows")
    assert resource["eventTypes"] == ["UPDATE"]
    assert {"key": "app.kubernetes.io/name", "operation": "==", "value": "object-events"} in resource["filter"][
        "labels"
    ]
    assert source["spec"]["template"]["serviceAccountName"] == "object-events-events"
    sensor = _doc(files, f"{SENSOR}.sensor.yaml")
    workflow = sensor["spec"]["triggers"][0]["template"]["k8s"]["source"]["resource"]["spec"]
    assert workflow["entrypoint"] == "job-recover"
    assert {"name": "sensor", "value": "retry_on_failure"} in workflow["arguments"]["parameters"]
    # one Sensor per (monitored job, requested job): 3 × recover, 2 × 2 reports
    assert len([name for name in files if name.endswith(".sensor.yaml")]) == 7
    documents = {
        name: yaml.safe_load(text)
        for name, text in files.items()
        if name.endswith((".sensor.yaml", ".eventsource.yaml"))
    }
    template = _doc(files, "object-events.workflowtemplate.yaml")
    known = {"object-events": {t["name"] for t in template["spec"]["templates"]}}
    assert events_problems(documents, known) == []
    for document in documents.values():
        assert events_schema_errors(document) == []
    parameters = {p["name"] for p in template["spec"]["arguments"]["parameters"]}
    assert {"object-key", "sensor"} <= parameters


def test_the_role_watches_workflows_only_with_a_run_requesting_sensor() -> None:
    role = _doc(_files(), "object-events-events.role.yaml")
    assert {"apiGroups": ["argoproj.io"], "resources": ["workflows"], "verbs": ["get", "list", "watch"]} in role[
        "rules"
    ]
    assert "object-events-events.role.yaml" in _doc(_files(), "kustomization.yaml")["resources"]
    alert_only = dg.Definitions(
        assets=[run_requests.breaks],
        jobs=[run_requests.nightly],
        sensors=[dg.run_failure_sensor(monitored_jobs=[run_requests.nightly], name="alert")(lambda context: None)],
    )
    assert not any(name.startswith("object-events-events") for name in _files(alert_only))  # an exit handler only


@pytest.mark.parametrize(
    ("job", "phase", "passes"),
    [
        ("nightly", "Failed", True),
        ("nightly", "Error", True),
        ("nightly", "Succeeded", False),
        ("daily", "Failed", False),
    ],
)
def test_the_sensor_filters_keep_the_status_and_the_monitored_job(job: str, phase: str, passes: bool) -> None:
    files = _files()
    template = _doc(files, "object-events.workflowtemplate.yaml")
    source = _doc(files, "object-events-retry-on-failure.eventsource.yaml")
    sensor = _doc(files, f"{SENSOR}.sensor.yaml")
    data = workflow_event(ended_workflow(template, "wf-1", f"job-{job}", phase))
    settings = source["spec"]["resource"]["workflow-ended"]
    assert accepts(Source("s", "workflow-ended", "resource", settings), data)
    assert data_filters_pass(sensor["spec"]["dependencies"][0]["filters"], data) is passes
    other = ended_workflow(
        {**template, "spec": {**template["spec"], "workflowMetadata": {"labels": {}}}}, "x", "job-nightly", phase
    )
    assert not accepts(Source("s", "workflow-ended", "resource", settings), workflow_event(other))  # another pipeline


def _dagster_tick(sensor: dg.SensorDefinition, job_name: str) -> list[dg.RunRequest]:
    repository = run_requests.defs.get_repository_def()
    with dg.DagsterInstance.ephemeral() as instance:
        with dg.build_sensor_context(instance=instance, repository_def=repository) as context:
            cursor = sensor.evaluate_tick(context).cursor
        run_requests.defs.resolve_job_def(job_name).execute_in_process(instance=instance, raise_on_error=False)
        with dg.build_sensor_context(instance=instance, repository_def=repository, cursor=cursor) as context:
            return list(sensor.evaluate_tick(context).run_requests or [])


def test_the_pod_requests_what_dagster_requests(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(tmp_path))
    [request] = _dagster_tick(run_requests.report_after_success, "daily")
    assert request.job_name == "report_daily"
    sensor = run_requests.report_after_success
    assert request_for_ended_run(sensor, "run-status daily report_daily Succeeded wf-1") == request.partition_key
    with pytest.raises(SensorSkipped, match="requested job report_daily, not report_weekly"):
        request_for_ended_run(sensor, "run-status daily report_weekly Succeeded wf-1")
    assert _dagster_tick(run_requests.retry_on_failure, "flaky") == []  # the SkipReason
    with pytest.raises(SensorSkipped, match="flaky is rerun by hand"):
        request_for_ended_run(run_requests.retry_on_failure, "run-status flaky recover Failed wf-1")
    with pytest.raises(MaterializeUsageError, match="does not name an ended run"):
        request_for_ended_run(run_requests.retry_on_failure, "city=graz/x.parquet")


def test_a_run_config_in_the_request_is_refused_by_the_pod() -> None:
    @dg.run_failure_sensor(monitored_jobs=[run_requests.nightly], request_job=run_requests.recover)
    def configured(context: dg.RunFailureSensorContext) -> dg.RunRequest:
        return dg.RunRequest(run_config={"ops": {"recovered": {"config": {"x": 1}}}})

    with pytest.raises(MaterializeUsageError, match="sensor configured: a RunRequest with run_config is not compiled"):
        request_for_ended_run(configured, "run-status nightly recover Failed wf-1")


def _refusal(sensor: dg.SensorDefinition, jobs: list[Any]) -> str:
    defs = dg.Definitions(assets=[run_requests.breaks, run_requests.recovered], jobs=jobs, sensors=[sensor])
    with pytest.raises(UnsupportedInputError) as raised:
        project_from_definitions(run_requests.__name__, defs)
    return str(raised.value)


def test_requesting_an_op_job_is_refused_by_name() -> None:
    @dg.op
    def step() -> None:
        pass

    @dg.job
    def op_job() -> None:
        step()

    @dg.run_failure_sensor(monitored_jobs=[run_requests.nightly], request_job=op_job)
    def to_op_job(context: dg.RunFailureSensorContext) -> dg.RunRequest:
        return dg.RunRequest()

    message = _refusal(to_op_job, [run_requests.nightly, op_job])
    assert message.startswith("sensor to_op_job: requests job op_job, which is not an asset job")


def test_a_requesting_sensor_on_a_status_argo_has_no_end_for_is_refused_by_name() -> None:
    @dg.run_status_sensor(
        run_status=dg.DagsterRunStatus.CANCELED, monitored_jobs=[run_requests.nightly], request_job=run_requests.recover
    )
    def on_cancel(context: dg.RunStatusSensorContext) -> dg.RunRequest:
        return dg.RunRequest()

    message = _refusal(on_cancel, [run_requests.nightly, run_requests.recover])
    assert message.startswith("sensor on_cancel: run_status CANCELED is not compiled")


def test_validate_names_what_a_resource_eventsource_gets_wrong() -> None:
    source = _doc(_files(), "object-events-retry-on-failure.eventsource.yaml")
    settings = source["spec"]["resource"]["workflow-ended"]
    settings["eventTypes"] = ["MODIFIED"]  # Kubernetes' watch word, not the informer's
    settings["filter"]["labels"][0]["operation"] = "=~"
    del settings["version"]
    problems = events_problems({"es": source}, {})
    where = "es: spec.resource.workflow-ended"
    assert f"{where}: version is required" in problems
    assert f"{where}: eventTypes must list ADD, UPDATE, DELETE" in problems
    assert any(problem.startswith(f"{where}.filter.labels[0]: needs a key") for problem in problems)


def test_run_events_refuses_a_resource_source_it_cannot_replay(tmp_path: Any) -> None:
    from compiler.run_events.sensors import RunEventsError, load_sensors

    files = _files()
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    path = tmp_path / "object-events-retry-on-failure.eventsource.yaml"
    source = yaml.safe_load(path.read_text(encoding="utf-8"))
    source["spec"]["resource"]["workflow-ended"]["filter"]["afterStart"] = True
    path.write_text(yaml.safe_dump(source), encoding="utf-8")
    with pytest.raises(RunEventsError, match="resource filters other than labels are not replayed"):
        load_sensors(tmp_path)


def test_a_sensor_monitoring_every_job_watches_each_job_dagster_lists() -> None:
    @dg.run_failure_sensor(request_job=run_requests.recover)
    def any_failure(context: dg.RunFailureSensorContext) -> dg.RunRequest:
        return dg.RunRequest()

    defs = dg.Definitions(
        assets=[run_requests.breaks, run_requests.recovered],
        jobs=[run_requests.nightly, run_requests.recover],
        sensors=[any_failure],
    )
    dagster_jobs = {job.name for job in defs.get_repository_def().get_all_jobs()}  # with the implicit __ASSET_JOB
    files = _files(defs)
    sensors = [yaml.safe_load(text) for name, text in files.items() if name.endswith(".sensor.yaml")]
    watched = {sensor["metadata"]["annotations"]["dagster.io/job"]: sensor for sensor in sensors}
    assert set(watched) == dagster_jobs
    entrypoints = {
        job: sensor["spec"]["dependencies"][0]["filters"]["data"][1]["value"] for job, sensor in watched.items()
    }
    assert entrypoints["__ASSET_JOB"] == ["^(?:main)$"]
    assert entrypoints["recover"] == ["^(?:job\\-recover)$"]  # its own runs too, as Dagster's sensor sees them


def test_requesting_the_job_of_a_gated_schedule_is_refused_by_name() -> None:
    @dg.schedule(job=run_requests.recover, cron_schedule="0 1 * * *")
    def nightly_recover(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        if context.scheduled_execution_time and context.scheduled_execution_time.weekday() == 6:
            return dg.SkipReason("not on Sundays")
        return dg.RunRequest()

    @dg.run_failure_sensor(monitored_jobs=[run_requests.nightly], request_job=run_requests.recover)
    def recover_after(context: dg.RunFailureSensorContext) -> dg.RunRequest:
        return dg.RunRequest()

    defs = dg.Definitions(
        assets=[run_requests.breaks, run_requests.recovered],
        jobs=[run_requests.nightly, run_requests.recover],
        schedules=[nightly_recover],
        sensors=[recover_after],
    )
    with pytest.raises(UnsupportedInputError) as raised:
        _files(defs)
    assert str(raised.value).startswith("sensor recover_after: requests job recover, the job of a schedule with code")
