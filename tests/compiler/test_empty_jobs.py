"""An asset job whose selection resolves to nothing (Dagster's docs schedule `AssetSelection.groups(...)` of a group
no asset is in) is valid in Dagster: each run executes no step and succeeds. The compiler maps it to nothing with a
`warning:` naming the job and its schedule, instead of refusing the whole code location."""

import dagster as dg
import pytest

from compiler.builder.load import project_from_definitions
from compiler.errors import UnsupportedInputError
from tests.compiler.projects import empty_job
from tests.compiler.support import compile_defs, dag, workflow_template

EMPTY_JOB = "__anonymous_asset_job_nothing_scheduled"


def _dagster_steps(job_name: str) -> set[str]:
    """The steps Dagster itself executes for a run of the job (in process, as a launched run would)."""
    result = empty_job.defs.resolve_job_def(job_name).execute_in_process(instance=dg.DagsterInstance.ephemeral())
    assert result.success
    return {event.step_key for event in result.all_events if event.is_step_success and event.step_key}


def test_an_empty_job_compiles_to_nothing_as_dagster_runs_nothing() -> None:
    assert _dagster_steps(EMPTY_JOB) == set()
    documents = compile_defs(empty_job.defs)
    templates = {t["name"] for t in workflow_template(documents)["spec"]["templates"]}
    assert f"job-{EMPTY_JOB}" not in templates
    assert not any("nothing-scheduled" in name for name in documents)  # no CronWorkflow starting nothing


def test_the_other_job_and_its_schedule_still_compile_as_dagster_runs_them() -> None:
    documents = compile_defs(empty_job.defs)
    assert set(dag(workflow_template(documents), "job-orders-job")) == _dagster_steps("orders_job") == {"orders"}
    [cron] = [d for d in documents.values() if d["kind"] == "CronWorkflow"]
    assert cron["spec"]["workflowSpec"]["entrypoint"] == "job-orders-job"


def test_the_warning_names_the_job_and_the_schedule() -> None:
    warnings = project_from_definitions("project", empty_job.defs).fidelity.warnings
    [warning] = [w for w in warnings if EMPTY_JOB in w]
    assert warning.startswith(f"job {EMPTY_JOB} selects no materializable asset and no asset check")
    assert "nothing_scheduled" in warning


def test_a_job_of_only_checks_is_refused_naming_it_as_dagster_runs_the_checks_alone() -> None:
    @dg.asset
    def orders() -> int:
        return 1

    @dg.asset_check(asset=orders)
    def orders_positive() -> dg.AssetCheckResult:  # queries its table itself: no value loaded
        return dg.AssetCheckResult(passed=True)

    checks_only = dg.define_asset_job("checks_only", selection=dg.AssetSelection.checks_for_assets(orders))
    defs = dg.Definitions(assets=[orders], asset_checks=[orders_positive], jobs=[checks_only])
    # Dagster's run of the job evaluates the check and materializes nothing: no step could run it alone here
    result = defs.resolve_job_def("checks_only").execute_in_process(instance=dg.DagsterInstance.ephemeral())
    assert [e.asset_key for e in result.get_asset_materialization_events()] == []
    assert [e.check_name for e in result.get_asset_check_evaluations()] == ["orders_positive"]
    with pytest.raises(UnsupportedInputError) as error:
        project_from_definitions("project", defs)
    assert str(error.value).startswith("job checks_only selects only asset checks")
