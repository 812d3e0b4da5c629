"""Build-time run config analysis (compiler/builder/run_config.py): which projects get the `run_config` parameter
and `--job`, and which schedules are refused because no run they start could get valid config."""

from datetime import datetime
from typing import Any

import dagster as dg
import pytest

from compiler.builder.load import project_from_definitions
from compiler.errors import UnsupportedInputError
from tests.compiler.shapes import make_asset
from tests.compiler.support import compile_defs, dag, workflow_template


class Options(dg.Config):
    threshold: int = 3


def _parameters(documents: dict[str, Any]) -> set[str]:
    return {p["name"] for p in workflow_template(documents)["spec"]["arguments"]["parameters"]}


def test_a_checks_config_is_run_config_too() -> None:
    @dg.asset_check(asset="a")
    def bounded(config: Options) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=config.threshold > 0)

    documents = compile_defs(dg.Definitions(assets=[make_asset("a", [])], asset_checks=[bounded]))
    assert "run_config" in _parameters(documents)


def test_a_jobs_config_alone_offers_the_parameter_and_its_dag_names_the_job() -> None:
    job = dg.define_asset_job("configured", selection=["a"], config={"execution": {"config": {"in_process": {}}}})
    documents = compile_defs(dg.Definitions(assets=[make_asset("a", [])], jobs=[job]))
    assert "run_config" in _parameters(documents)
    [task] = dag(workflow_template(documents), "job-configured").values()
    assert {"name": "job", "value": "configured"} in task["arguments"]["parameters"]
    [main_task] = dag(workflow_template(documents), "main").values()  # main stands for the implicit asset job
    assert "job" not in {p["name"] for p in main_task["arguments"]["parameters"]}


def test_a_jobs_execution_config_is_warned_naming_the_job() -> None:
    job = dg.define_asset_job("serial", selection=["a"], config={"execution": {"config": {"in_process": {}}}})
    project = project_from_definitions("project", dg.Definitions(assets=[make_asset("a", [])], jobs=[job]))
    [warning] = [w for w in project.fidelity.warnings if w.startswith("job serial:")]
    assert "config= sets execution, which the pods do not apply" in warning
    plain = dg.define_asset_job("plain", selection=["a"], config={"ops": {}})
    project = project_from_definitions("project", dg.Definitions(assets=[make_asset("a", [])], jobs=[plain]))
    assert not [w for w in project.fidelity.warnings if w.startswith("job plain:")]


def test_config_with_defaults_only_offers_the_parameter() -> None:
    @dg.asset
    def tuned(config: Options) -> int:
        return config.threshold

    assert "run_config" in _parameters(compile_defs(dg.Definitions(assets=[tuned])))


def test_a_schedule_whose_config_is_invalid_on_some_ticks_is_warned_naming_the_tick() -> None:
    """A Sunday's request fails every Sunday run (as Dagster's scheduler fails that tick); the other days run."""

    @dg.asset
    def tuned(config: Options) -> int:
        return config.threshold

    job = dg.define_asset_job("nightly", selection=[tuned])

    @dg.schedule(job=job, cron_schedule="0 1 * * *")
    def weekday_threshold(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        tick = context.scheduled_execution_time or datetime(2026, 1, 1)
        threshold: object = "none on Sundays" if tick.weekday() == 6 else tick.weekday()
        return dg.RunRequest(run_config={"ops": {"tuned": {"config": {"threshold": threshold}}}})

    project = project_from_definitions("project", dg.Definitions(assets=[tuned], schedules=[weekday_threshold]))
    [warning] = [w for w in project.fidelity.warnings if "run config" in w]
    assert warning.startswith(
        "schedule weekday_threshold: its run config is invalid for job nightly at 1 of 8"
    )  # Jan 1-8: one Sunday
    assert "first at 2026-01-04T01:00:00" in warning
    assert 'Value "none on Sundays"' in warning  # Dagster's words: the value ...
    assert '"Int"' in warning  # ... and the type


def test_a_schedule_whose_config_is_invalid_on_every_tick_is_refused() -> None:
    @dg.asset
    def tuned(config: Options) -> int:
        return config.threshold

    job = dg.define_asset_job("nightly", selection=[tuned])

    @dg.schedule(job=job, cron_schedule="0 1 * * *")
    def misspelt(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        return dg.RunRequest(run_config={"ops": {"tuned": {"config": {"treshold": 1}}}})

    with pytest.raises(UnsupportedInputError) as error:
        project_from_definitions("project", dg.Definitions(assets=[tuned], schedules=[misspelt]))
    message = str(error.value)
    assert message.startswith("schedule misspelt: its run config for the tick at 2026-01-01T01:00:00")
    assert 'unexpected config entry "treshold"' in message
    assert "every sampled tick" in message
