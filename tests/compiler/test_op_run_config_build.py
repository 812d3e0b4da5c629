"""Issue 25, run config for op jobs at build time: config without a default is no refusal (a manual submit can
always supply it, so the WorkflowTemplate offers `run_config` and the op job's pods pass it on); only a schedule
whose every sampled tick's config is invalid for its op job is refused, with Dagster's own error; invalid at some
ticks is a warning naming the schedule and the first such tick."""

from datetime import datetime
from typing import Any

import dagster as dg
import pytest

from compiler.builder.load import project_from_definitions
from compiler.errors import UnsupportedInputError
from tests.compiler.support import compile_defs, workflow_template


class Factor(dg.Config):
    factor: int


@dg.op
def produce(config: Factor) -> int:
    return config.factor


@dg.job
def scaled() -> None:
    produce()


def _dagster_error(run_config: dict[str, Any]) -> str:
    """Dagster's own validation message for `scaled` with this config, on one line."""
    with pytest.raises(dg.DagsterInvalidConfigError) as error:
        dg.validate_run_config(scaled, run_config)
    [problem] = error.value.errors
    return " ".join(problem.message.split())


def test_an_op_job_needing_config_compiles_with_the_run_config_parameter() -> None:
    template = workflow_template(compile_defs(dg.Definitions(jobs=[scaled])))
    assert {"name": "run_config", "value": ""} in template["spec"]["arguments"]["parameters"]
    [step] = [t for t in template["spec"]["templates"] if "container" in t]
    args = step["container"]["args"]
    assert args[args.index("--run-config") + 1] == "{{workflow.parameters.run_config}}"
    assert args.count("--job") == 1
    assert args[args.index("--job") + 1] == "{{inputs.parameters.asset}}"


def test_an_op_job_without_config_keeps_manifests_without_the_parameter() -> None:
    @dg.op
    def plain() -> int:
        return 1

    @dg.job
    def simple() -> None:
        plain()

    template = workflow_template(compile_defs(dg.Definitions(jobs=[simple])))
    assert "run_config" not in {p["name"] for p in template["spec"]["arguments"]["parameters"]}


def test_beside_assets_with_config_op_job_pods_still_name_their_own_job() -> None:
    """The `run_config` parameter adds `--job {{inputs.parameters.job}}` to asset steps; an op job's step keeps its
    one `--job` (its own name), or its pod would run no job."""

    @dg.asset(config_schema={"threshold": int})
    def tuned() -> None:
        return None

    template = workflow_template(compile_defs(dg.Definitions(assets=[tuned], jobs=[scaled])))
    steps = {t["name"]: t["container"]["args"] for t in template["spec"]["templates"] if "container" in t}
    for name, args in steps.items():
        assert args.count("--job") == 1, name
        assert "--run-config" in args, name
    assert any(args[args.index("--job") + 1] == "{{inputs.parameters.asset}}" for args in steps.values())


def test_a_schedule_that_never_supplies_required_config_is_refused_with_dagsters_error() -> None:
    schedule = dg.ScheduleDefinition(job=scaled, cron_schedule="0 1 * * *")
    with pytest.raises(UnsupportedInputError) as error:
        project_from_definitions("project", dg.Definitions(jobs=[scaled], schedules=[schedule]))
    message = str(error.value)
    assert message.startswith(f"schedule {schedule.name}: its run config for the tick at")
    assert "is invalid for job scaled" in message
    assert _dagster_error({}) in message


def test_a_schedule_supplying_the_config_compiles() -> None:
    config = {"ops": {"produce": {"config": {"factor": 3}}}}
    schedule = dg.ScheduleDefinition(job=scaled, cron_schedule="0 1 * * *", run_config=config)
    dg.validate_run_config(scaled, config)  # Dagster accepts it
    documents = compile_defs(dg.Definitions(jobs=[scaled], schedules=[schedule]))
    assert any(d["kind"] == "CronWorkflow" for d in documents.values())


def test_a_schedule_invalid_at_some_ticks_is_a_warning_naming_the_first() -> None:
    """Sundays give a string: those ticks' pods fail with exit 2, as Dagster's scheduler fails those ticks."""

    @dg.schedule(job=scaled, cron_schedule="0 1 * * *")
    def weekly_glitch(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        sunday = context.scheduled_execution_time.weekday() == 6
        return dg.RunRequest(run_config={"ops": {"produce": {"config": {"factor": "many" if sunday else 2}}}})

    project = project_from_definitions("project", dg.Definitions(jobs=[scaled], schedules=[weekly_glitch]))
    [spec] = project.schedules
    [warning] = spec.warnings
    assert warning.startswith("schedule weekly_glitch: its run config is invalid for job scaled at ")
    assert _dagster_error({"ops": {"produce": {"config": {"factor": "many"}}}}) in warning
    first = warning.split("first at ")[1].split(" ")[0]
    assert datetime.fromisoformat(first).weekday() == 6  # a Sunday, as the schedule's own code decides
