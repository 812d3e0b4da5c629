"""Jobs are mapped the same whatever starts them: an unscheduled asset job's settings are refused as a scheduled
job's are, a job-level automation condition as an asset-level one, and step fusion never splits any job's chain."""

import dagster as dg
import pytest

from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import compile_project
from compiler.errors import UnsupportedInputError
from tests.compiler.shapes import make_asset
from tests.compiler.support import compile_defs, dag, demo_settings, workflow_template

ON_CRON = dg.AutomationCondition.on_cron("0 1 * * *", "Europe/Vienna")


def _refusal(defs: dg.Definitions) -> str:
    with pytest.raises(UnsupportedInputError) as error:
        project_from_definitions("project", defs)
    return str(error.value)


@pytest.mark.parametrize(
    ("options", "feature"),
    [
        ({"op_retry_policy": dg.RetryPolicy(max_retries=1)}, "sets op_retry_policy"),
        ({"tags": {"dagster-k8s/config": {"container_config": {}}}}, "has a dagster-k8s/config tag"),
    ],
)
def test_an_unscheduled_job_is_refused_as_a_scheduled_one(options: dict[str, object], feature: str) -> None:
    job = dg.define_asset_job("manual", selection="*", **options)  # type: ignore[arg-type]
    asset = make_asset("a", [])
    assert _refusal(dg.Definitions(assets=[asset], jobs=[job])).startswith(f"job manual {feature}")
    scheduled = dg.ScheduleDefinition(job=job, cron_schedule="0 1 * * *")  # the same job, started by a schedule
    expected = f"schedule manual_schedule: job manual {feature}"
    assert _refusal(dg.Definitions(assets=[asset], schedules=[scheduled])).startswith(expected)


def test_job_level_on_cron_is_a_suspended_cron_workflow_of_the_job() -> None:
    job = dg.define_asset_job(
        "refresh", selection=["a", "b"], automation_condition=dg.AutomationCondition.any_job_root_assets_match(ON_CRON)
    )
    assets = [make_asset("a", []), make_asset("b", ["a"]), make_asset("c", [])]
    documents = compile_defs(dg.Definitions(assets=assets, jobs=[job]))
    spec = documents["demo-automation-refresh.cronworkflow.yaml"]["spec"]
    assert (spec["schedules"], spec["timezone"], spec["suspend"]) == (["0 1 * * *"], "Europe/Vienna", True)
    assert spec["workflowSpec"]["entrypoint"] == "job-refresh"
    assert list(dag(workflow_template(documents), "job-refresh")) == ["a", "b"]


@pytest.mark.parametrize(
    ("condition", "assets", "message"),
    [
        (dg.AutomationCondition.all_job_root_assets_match(dg.AutomationCondition.eager()), [make_asset("a", [])],
         "job j: automation condition all_job_root_assets_match(eager) is not supported"),
        (dg.AutomationCondition.any_job_root_assets_match(ON_CRON), [make_asset("up", []), make_asset("a", ["up"])],
         "job j: any_job_root_assets_match(on_cron(0 1 * * *, Europe/Vienna)) waits for the dependencies of its root "
         "asset a"),
        (dg.AutomationCondition.any_job_root_assets_match(ON_CRON),
         [make_asset("a", [], partitions_def=dg.DailyPartitionsDefinition("2024-01-01"))],
         "on partitioned assets is not supported"),
    ],
)  # fmt: skip
def test_job_level_conditions_are_refused_as_asset_level_ones(
    condition: dg.AutomationCondition, assets: list[dg.AssetsDefinition], message: str
) -> None:
    job = dg.define_asset_job("j", selection=["a"], automation_condition=condition)
    assert message in _refusal(dg.Definitions(assets=assets, jobs=[job]))


def test_fusion_keeps_apart_what_an_unscheduled_job_splits() -> None:
    assets = [make_asset("a", []), make_asset("b", ["a"]), make_asset("c", ["b"])]
    defs = dg.Definitions(assets=assets, jobs=[dg.define_asset_job("tail", selection=["b", "c"])])
    result = compile_project(project_from_definitions("project", defs), demo_settings(fuse_chains=True))
    assert result.notes == ("asset b is not fused with a: job tail runs one without the other",)
