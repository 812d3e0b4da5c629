"""Every unsupported Dagster feature stops the build with an error naming the asset/schedule and the feature."""

import dagster as dg
import pytest

from compiler.errors import UnsupportedInputError
from compiler.load import project_from_definitions
from tests.compiler.shapes import make_asset


def _compile_error(defs: dg.Definitions) -> str:
    with pytest.raises(UnsupportedInputError) as error:
        project_from_definitions("project", defs)
    return str(error.value)


def test_dynamic_partitions() -> None:
    asset = make_asset("events", [], partitions_def=dg.DynamicPartitionsDefinition(name="ids"))
    message = _compile_error(dg.Definitions(assets=[asset]))
    assert "asset events" in message
    assert "DynamicPartitionsDefinition" in message


def test_multi_dimensional_partitions() -> None:
    partitions = dg.MultiPartitionsDefinition(
        {"date": dg.DailyPartitionsDefinition(start_date="2024-01-01"), "city": dg.StaticPartitionsDefinition(["a"])}
    )
    message = _compile_error(dg.Definitions(assets=[make_asset("grid", [], partitions_def=partitions)]))
    assert "asset grid" in message
    assert "MultiPartitionsDefinition" in message


def test_static_partitions() -> None:
    asset = make_asset("cities", [], partitions_def=dg.StaticPartitionsDefinition(["vienna", "graz"]))
    assert "StaticPartitionsDefinition" in _compile_error(dg.Definitions(assets=[asset]))


def test_hourly_partitions() -> None:
    asset = make_asset("hourly", [], partitions_def=dg.HourlyPartitionsDefinition(start_date="2024-01-01-00:00"))
    message = _compile_error(dg.Definitions(assets=[asset]))
    assert "asset hourly" in message
    assert "'0 * * * *'" in message
    assert "daily" in message


def test_two_different_daily_partitions() -> None:
    vienna = make_asset("v", [], partitions_def=dg.DailyPartitionsDefinition("2024-01-01", timezone="Europe/Vienna"))
    utc = make_asset("u", [], partitions_def=dg.DailyPartitionsDefinition("2024-01-01"))
    assert "different partitions definitions" in _compile_error(dg.Definitions(assets=[vienna, utc]))


def test_observable_source_asset() -> None:
    @dg.observable_source_asset
    def upstream_file() -> dg.DataVersion:
        return dg.DataVersion("1")

    message = _compile_error(dg.Definitions(assets=[upstream_file]))
    assert "asset upstream_file" in message
    assert "observable" in message


def test_asset_that_needs_run_config() -> None:
    @dg.asset(config_schema={"threshold": int})
    def tuned() -> None:
        return None

    message = _compile_error(dg.Definitions(assets=[tuned]))
    assert "asset tuned" in message
    assert "run config" in message


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


def test_op_job_schedule() -> None:
    @dg.op
    def hello() -> None:
        return None

    @dg.job
    def legacy() -> None:
        hello()

    schedule = dg.ScheduleDefinition(job=legacy, cron_schedule="@daily")
    message = _compile_error(dg.Definitions(assets=[make_asset("a", [])], schedules=[schedule]))
    assert "schedule legacy_schedule" in message
    assert "not an asset job" in message


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


def test_schedule_run_config_would_be_lost() -> None:
    message = _compile_error(
        _asset_job_schedule(cron_schedule="0 1 * * *", run_config={"ops": {"a": {"config": {"threshold": 5}}}})
    )
    assert "schedule nightly_schedule: supplies run_config" in message


def test_cron_that_dagster_accepts_but_argo_does_not() -> None:
    message = _compile_error(_asset_job_schedule(cron_schedule="0 0 * * 7"))  # Sunday as 7: Argo's parser says no
    assert "schedule nightly_schedule: cron '0 0 * * 7' has no Argo equivalent" in message


def test_daily_partitions_with_an_hour_offset() -> None:
    partitions = dg.DailyPartitionsDefinition(start_date="2026-01-01", hour_offset=3)
    message = _compile_error(dg.Definitions(assets=[make_asset("a", [], partitions_def=partitions)]))
    assert "asset a: time partitions with cron '0 3 * * *'" in message
    assert "without hour_offset/minute_offset" in message


def test_automation_condition() -> None:
    @dg.asset(automation_condition=dg.AutomationCondition.eager())
    def eager() -> None: ...

    assert "asset eager: automation condition eager is not supported" in _compile_error(dg.Definitions(assets=[eager]))


def test_job_with_run_config_or_op_retry_policy() -> None:
    asset = make_asset("a", [])
    configured = dg.define_asset_job("configured", selection=[asset], config={"ops": {}})
    retried = dg.define_asset_job("retried", selection=[asset], op_retry_policy=dg.RetryPolicy(max_retries=1))
    for job, feature in ((configured, "has run config"), (retried, "sets op_retry_policy")):
        schedule = dg.ScheduleDefinition(job=job, cron_schedule="0 1 * * *")
        message = _compile_error(dg.Definitions(assets=[asset], schedules=[schedule]))
        assert f"schedule {job.name}_schedule: job {job.name} {feature}" in message
