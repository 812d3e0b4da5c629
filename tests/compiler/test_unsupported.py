"""Every unsupported Dagster feature stops the build with an error naming the asset/schedule and the feature."""

from datetime import UTC, datetime

import dagster as dg
import pytest
from dagster._utils.schedules import schedule_execution_time_iterator

from compiler.builder.load import project_from_definitions
from compiler.errors import UnsupportedInputError
from compiler.validate.robfig import argo_schedules, argo_ticks
from tests.compiler.shapes import make_asset
from tests.compiler.support import compile_defs, workflow_template


def _compile_error(defs: dg.Definitions) -> str:
    with pytest.raises(UnsupportedInputError) as error:
        project_from_definitions("project", defs)
    return str(error.value)


def test_dynamic_partitions_without_a_shared_instance() -> None:
    """The keys live in the Dagster instance; throw-away pod instances hold none (test_dynamic_partitions_compile)."""
    asset = make_asset("events", [], partitions_def=dg.DynamicPartitionsDefinition(name="ids"))
    with pytest.raises(UnsupportedInputError) as error:
        compile_defs(dg.Definitions(assets=[asset]))
    assert str(error.value).startswith("asset events: DynamicPartitionsDefinition 'ids' keeps its keys")
    assert '[tool.compiler.instance] kind = "postgres"' in str(error.value)


def test_multi_dimensional_partitions_with_a_dynamic_dimension() -> None:
    partitions = dg.MultiPartitionsDefinition(
        {
            "date": dg.DailyPartitionsDefinition(start_date="2024-01-01"),
            "city": dg.DynamicPartitionsDefinition(name="c"),
        }
    )
    message = _compile_error(dg.Definitions(assets=[make_asset("grid", [], partitions_def=partitions)]))
    assert message.startswith("asset grid: MultiPartitionsDefinition")
    assert "city (DynamicPartitionsDefinition)" in message
    assert "date (DailyPartitionsDefinition)" in message
    assert "a dynamic dimension's keys are only known at run time" in message


def test_different_definitions_in_separate_jobs_are_fine() -> None:
    """Two unrelated time partitionings, each with its own job and schedule: every pod resolves its own key."""
    hourly = make_asset("h", [], partitions_def=dg.HourlyPartitionsDefinition(start_date="2024-01-01-00:00"))
    monthly = make_asset("m", [], partitions_def=dg.MonthlyPartitionsDefinition(start_date="2024-01-01"))
    jobs = [dg.define_asset_job("h_job", selection=[hourly]), dg.define_asset_job("m_job", selection=[monthly])]
    schedules = [dg.build_schedule_from_partitioned_job(job) for job in jobs]
    project = project_from_definitions("project", dg.Definitions(assets=[hourly, monthly], schedules=schedules))
    assert {(s.job_name, s.crons) for s in project.schedules} == {("h_job", ("0 * * * *",)), ("m_job", ("0 0 1 * *",))}


def test_same_windows_with_different_starts_map_key_to_key() -> None:
    old = make_asset("old", [], partitions_def=dg.DailyPartitionsDefinition("2020-01-01"))
    new = make_asset("new", ["old"], partitions_def=dg.DailyPartitionsDefinition("2025-01-01"))
    project = project_from_definitions("project", dg.Definitions(assets=[old, new]))
    assert [a.key for a in project.assets] == [("old",), ("new",)]
    later = make_asset("later", ["old"], partitions_def=dg.DailyPartitionsDefinition("2030-01-01"))  # not started
    project = project_from_definitions("project", dg.Definitions(assets=[old, later]))
    assert [a.key for a in project.assets] == [("old",), ("later",)]


def test_a_job_mixing_partitions_definitions() -> None:
    hourly = make_asset("h", [], partitions_def=dg.HourlyPartitionsDefinition(start_date="2024-01-01-00:00"))
    daily = make_asset("d", [], partitions_def=dg.DailyPartitionsDefinition(start_date="2024-01-01"))
    schedule = dg.ScheduleDefinition(name="both", cron_schedule="0 1 * * *", target=[hourly, daily])
    message = _compile_error(dg.Definitions(assets=[hourly, daily], schedules=[schedule]))
    assert message.startswith("schedule both: job ")
    assert "selects assets with different partitions definitions (d: cron '0 0 * * *' in UTC; h: cron" in message


def test_weekly_schedule_inside_the_dst_gap_fires_where_dagster_ticks() -> None:
    """02:30 on the spring-forward Sunday does not exist in Vienna: Dagster ticks at 03:00, robfig never fires at
    02:30 that day. The compiled CronWorkflow (no refusal) must have an Argo tick at Dagster's instant, and the
    schedule-gate filters the extra ticks (tests/compiler/ticks covers the filtering zone by zone)."""
    weekly = dg.WeeklyPartitionsDefinition(start_date="2025-01-05", timezone="Europe/Vienna")
    asset = make_asset("w", [], partitions_def=weekly)
    job = dg.define_asset_job("w_job", selection=[asset])
    schedule = dg.build_schedule_from_partitioned_job(job, hour_of_day=2, minute_of_hour=30)
    documents = compile_defs(dg.Definitions(assets=[asset], schedules=[schedule]))
    [cron] = [d for d in documents.values() if d["kind"] == "CronWorkflow"]
    start = datetime(2026, 3, 28, tzinfo=UTC)
    dagster_ticks = schedule_execution_time_iterator(start.timestamp(), "30 2 * * 0", "Europe/Vienna")
    gap_tick = next(t for t in dagster_ticks if t.date().isoformat() == "2026-03-29")
    assert gap_tick.hour == 3  # Dagster's answer: the first instant after the gap
    window = (int(start.timestamp()), int(start.timestamp()) + 3 * 86400)
    argo = argo_ticks(argo_schedules(cron["spec"]["schedules"], cron["spec"]["timezone"]), *window)
    assert int(gap_tick.timestamp()) in argo
    assert cron["metadata"]["annotations"]["dagster.io/tick-filter"] == "schedule-gate"


def test_observable_source_asset_selected_by_a_job() -> None:
    """Beside materializations it is an input (tests/compiler/run_local/test_observable_source.py); a job selecting
    it would run its observation in Dagster, which no compiled task does."""

    @dg.observable_source_asset
    def upstream_file() -> dg.DataVersion:
        return dg.DataVersion("1")

    observe = dg.define_asset_job("observe", selection=[upstream_file])
    message = _compile_error(dg.Definitions(assets=[upstream_file, make_asset("a", [])], jobs=[observe]))
    assert "job observe" in message
    assert "observable source asset upstream_file" in message


def test_asset_that_needs_run_config_compiles_with_the_run_config_parameter() -> None:
    """A manual submit can always supply it (-p run_config=...): no refusal; the steps pass it on."""

    @dg.asset(config_schema={"threshold": int})
    def tuned() -> None:
        return None

    documents = compile_defs(dg.Definitions(assets=[tuned]))
    spec = workflow_template(documents)["spec"]
    assert {"name": "run_config", "value": ""} in spec["arguments"]["parameters"]
    [step] = [t for t in spec["templates"] if "container" in t]
    arguments = step["container"]["args"]
    assert arguments[arguments.index("--run-config") + 1] == "{{workflow.parameters.run_config}}"


def test_a_project_without_config_has_no_run_config_parameter() -> None:
    documents = compile_defs(dg.Definitions(assets=[make_asset("a", [])]))
    spec = workflow_template(documents)["spec"]
    assert "run_config" not in {p["name"] for p in spec["arguments"]["parameters"]}


def test_config_with_defaults_is_fine() -> None:
    class Options(dg.Config):
        threshold: int = 3

    @dg.asset
    def tuned(config: Options) -> None:
        return None

    assert [a.key for a in project_from_definitions("p", dg.Definitions(assets=[tuned])).assets] == [("tuned",)]


def test_job_selecting_part_of_a_multi_asset_that_cannot_subset() -> None:
    """Dagster itself cannot resolve such a job; the compiler refuses it at build time, naming job and keys."""

    @dg.multi_asset(specs=[dg.AssetSpec("left"), dg.AssetSpec("right")])
    def both():
        return None

    job = dg.define_asset_job("left_only", selection=["left"])
    schedule = dg.ScheduleDefinition(name="nightly", job=job, cron_schedule="0 3 * * *")
    with pytest.raises(dg.DagsterInvalidDefinitionError):  # Dagster's own verdict on the job
        dg.Definitions(assets=[both], jobs=[job]).resolve_job_def("left_only")
    message = _compile_error(dg.Definitions(assets=[both], schedules=[schedule]))
    assert "schedule nightly: job left_only selects part of multi-asset both (can_subset=False)" in message
    assert "(right)" in message


def test_sensor_targeting_a_job() -> None:
    asset = make_asset("a", [])
    job = dg.define_asset_job("refresh", selection=[asset])

    @dg.sensor(job=job)
    def on_file() -> None:
        return None

    message = _compile_error(dg.Definitions(assets=[asset], jobs=[job], sensors=[on_file]))
    assert "sensor on_file" in message


def test_op_job_schedule_compiles_to_the_job_dag() -> None:
    """No longer refused (issue 25): the op job's CronWorkflow runs its `job-<name>` DAG (builder/op_jobs.py)."""

    @dg.op
    def hello() -> None:
        return None

    @dg.job
    def legacy() -> None:
        hello()

    schedule = dg.ScheduleDefinition(job=legacy, cron_schedule="@daily")
    documents = compile_defs(dg.Definitions(assets=[make_asset("a", [])], schedules=[schedule]))
    [cron] = [doc for name, doc in documents.items() if name.endswith(".cronworkflow.yaml")]
    assert cron["spec"]["workflowSpec"]["entrypoint"] == "job-legacy"


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ({"job_config": {}}, "job_config"),
        ({"container_config": {"lifecycle": {}}}, "lifecycle"),
        ({"pod_spec_config": {"host_network": True}}, "host_network"),
        ({"container_config": {"env": [{"name": "DB_PASSWORD", "value": "x"}]}}, "DB_PASSWORD"),
        ({"container_config": {"env": [{"name": "MODE", "value": "{{workflow.name}}"}]}}, "MODE"),
        ({"container_config": {"env": [{"name": "DB_URL", "value": "postgres://u:hunter2@db/x"}]}}, "user:password@"),
    ],
)
def test_unsupported_dagster_k8s_config(config: dict[str, object], named: str) -> None:
    asset = make_asset("tagged", [], op_tags={"dagster-k8s/config": config})
    message = _compile_error(dg.Definitions(assets=[asset]))
    assert "asset tagged" in message
    assert named in message


def _asset_job_schedule(**schedule_kwargs: object) -> dg.Definitions:
    asset = make_asset("a", [])
    job = dg.define_asset_job("nightly", selection=[asset])
    return dg.Definitions(assets=[asset], schedules=[dg.ScheduleDefinition(job=job, **schedule_kwargs)])  # type: ignore[arg-type]


def test_schedule_run_config_invalid_for_its_job_is_refused_with_dagsters_error() -> None:
    """Every run of such a tick would fail in its pods: `build` says so (the job has no op b)."""
    message = _compile_error(
        _asset_job_schedule(cron_schedule="0 1 * * *", run_config={"ops": {"b": {"config": {"threshold": 5}}}})
    )
    assert "schedule nightly_schedule: its run config for the tick at" in message
    assert 'unexpected config entry "b" at path root:ops' in message  # Dagster's own words


def test_schedule_without_config_for_a_required_field_is_refused() -> None:
    @dg.asset(config_schema={"threshold": int})
    def tuned() -> None:
        return None

    job = dg.define_asset_job("nightly", selection=[tuned])
    defs = dg.Definitions(assets=[tuned], schedules=[dg.ScheduleDefinition(job=job, cron_schedule="0 1 * * *")])
    message = _compile_error(defs)
    assert "schedule nightly_schedule" in message
    assert 'Missing required config entry "ops" at the root' in message
    assert "{'ops': {'tuned': {'config': {'threshold': 0}}}}" in message  # Dagster's example
    supplied = dg.ScheduleDefinition(
        job=job, cron_schedule="0 1 * * *", run_config={"ops": {"tuned": {"config": {"threshold": 5}}}}
    )
    assert "demo-nightly-schedule.cronworkflow.yaml" in compile_defs(
        dg.Definitions(assets=[tuned], schedules=[supplied])
    )


def test_cron_that_dagster_accepts_but_argo_does_not() -> None:
    message = _compile_error(_asset_job_schedule(cron_schedule="0 0 * * 7"))  # Sunday as 7: Argo's parser says no
    assert "schedule nightly_schedule: cron '0 0 * * 7' has no Argo equivalent" in message


def test_automation_condition() -> None:
    @dg.asset(automation_condition=dg.AutomationCondition.eager())
    def eager() -> None: ...

    message = _compile_error(dg.Definitions(assets=[eager]))  # eager downstream of compiled assets: test_eager_replay
    assert "asset eager: AutomationCondition.eager() on an asset without dependencies" in message


def test_job_with_op_retry_policy() -> None:
    asset = make_asset("a", [])
    retried = dg.define_asset_job("retried", selection=[asset], op_retry_policy=dg.RetryPolicy(max_retries=1))
    for job, feature in ((retried, "sets op_retry_policy"),):
        schedule = dg.ScheduleDefinition(job=job, cron_schedule="0 1 * * *")
        message = _compile_error(dg.Definitions(assets=[asset], schedules=[schedule]))
        assert f"schedule {job.name}_schedule: job {job.name} {feature}" in message
