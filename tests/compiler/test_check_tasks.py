"""Issue 26 item 5: a standalone check with `additional_deps` runs in a task of its own after its asset and those
assets, so a failing extra dependency neither holds back nor skips the asset. Both sides run: Dagster in process and
the compiled YAML through run-local, and what ran must agree."""

from pathlib import Path

import dagster as dg
import pytest
import yaml

from tests.compiler.fidelity_support import build, run_local
from tests.compiler.projects.fidelity.record import runs
from tests.compiler.support import compile_defs, dag, workflow_template


def _main_depends(tmp_path: Path) -> dict[str, str | None]:
    template = yaml.safe_load((tmp_path / "out" / "fidelity.workflowtemplate.yaml").read_text(encoding="utf-8"))
    [main] = [t for t in template["spec"]["templates"] if t["name"] == "main"]
    return {task["name"]: task.get("depends") for task in main["dag"]["tasks"]}


def test_a_failing_extra_dependency_leaves_the_asset_materialized_and_skips_only_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.compiler.projects.fidelity import check_dep_fails as project

    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(tmp_path / "dagster-record"))
    direct = dg.materialize(
        [
            project.prices,
            project.orders,
            project.after_orders,
            project.customers,
            project.after_customers,
            project.orders_have_prices,
            project.customers_have_prices,
        ],
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert not direct.success
    materialized = {
        event.asset_key.to_user_string() for event in direct.get_asset_materialization_events() if event.asset_key
    }
    dagster_runs = sorted(runs(tmp_path / "dagster-record"))
    # Dagster's own answer: the checked assets materialize, the checks never run, and the blocking one holds back
    # orders' downstream asset while customers' downstream asset runs.
    assert materialized == {"orders", "customers", "after_customers"}
    assert dagster_runs == ["after_customers", "customers", "orders", "prices"]
    assert direct.get_asset_check_evaluations() == []

    built = build(tmp_path, "check_dep_fails")
    assert built.returncode == 0, built.stderr
    assert "warning" not in built.stderr
    assert _main_depends(tmp_path) == {
        "prices": None,
        "orders": None,  # no longer waits for prices
        "orders-check-orders-have-prices": "orders && prices",
        "after-orders": "orders && orders-check-orders-have-prices",  # a blocking check holds it back
        "customers": None,
        "customers-check-customers-have-prices": "customers && prices",
        "after-customers": "customers",  # a non-blocking one does not
    }
    # One task at a time, in the DAG's order: prices fails before after-customers starts, which Argo's default
    # failFast would forbid; every DAG says failFast: false, as Dagster runs every step not downstream of a failure.
    replay = run_local(tmp_path, "--max-parallel", "1")
    output = replay.stdout + replay.stderr
    assert replay.returncode == 1, output
    assert runs(tmp_path / "argo-record")[-2:] == ["prices", "after_customers"], output
    assert sorted(runs(tmp_path / "argo-record")) == dagster_runs
    assert "⊘ orders-check-orders-have-prices skipped (upstream prices did not succeed)" in output
    assert "⊘ after-orders skipped" in output


def _checked_project(partitions: dg.PartitionsDefinition | None = None, blocking: bool = True) -> dg.Definitions:
    @dg.asset(partitions_def=partitions)
    def prices() -> None: ...

    @dg.asset(partitions_def=partitions)
    def orders() -> None: ...

    @dg.asset(partitions_def=partitions, deps=[orders])
    def after_orders() -> None: ...

    @dg.asset_check(asset=orders, additional_deps=[prices], blocking=blocking)
    def orders_have_prices() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=True)

    job = dg.define_asset_job("orders_only", selection=[orders, after_orders])
    return dg.Definitions(
        assets=[prices, orders, after_orders],
        asset_checks=[orders_have_prices],
        jobs=[job],
        schedules=[dg.ScheduleDefinition(job=job, cron_schedule="0 4 * * *")],
    )


def test_in_a_job_without_the_extra_dependency_the_check_follows_its_asset_alone() -> None:
    document = workflow_template(compile_defs(_checked_project()))
    job = dag(document, "job-orders-only")
    assert {name: task.get("depends") for name, task in job.items()} == {
        "orders": None,
        "orders-check-orders-have-prices": "orders",
        "after-orders": "orders && orders-check-orders-have-prices",
    }
    templates = {t["name"]: t for t in document["spec"]["templates"]}
    args = templates[job["orders-check-orders-have-prices"]["template"]]["container"]["args"]
    assert args[args.index("--check") + 1] == "{{inputs.parameters.check}}"
    assert "--check" not in templates[job["orders"]["template"]]["container"]["args"]


def test_fusion_keeps_check_tasks_apart_and_they_follow_the_fused_task() -> None:
    blocking = dag(workflow_template(compile_defs(_checked_project(), fuse_chains=True)))
    assert {name: task.get("depends") for name, task in blocking.items()} == {
        "prices": None,
        "orders": None,  # not fused with after-orders: that waits for the blocking check too
        "orders-check-orders-have-prices": "orders && prices",
        "after-orders": "orders && orders-check-orders-have-prices",
    }
    # Non-blocking: after-orders waits for orders alone, but fusing them would make the check wait for (and be
    # skipped with) after-orders, where Dagster runs it once orders and prices are materialized.
    plain = dag(workflow_template(compile_defs(_checked_project(blocking=False), fuse_chains=True)))
    assert {name: task.get("depends") for name, task in plain.items()} == {
        "prices": None,
        "orders": None,
        "orders-check-orders-have-prices": "orders && prices",
        "after-orders": "orders",
    }


def test_a_fanned_out_check_stays_in_its_assets_pod_with_a_warning_naming_it() -> None:
    from compiler.builder.load import project_from_definitions
    from compiler.builder.pipeline import compile_project
    from tests.compiler.support import demo_settings

    defs = _checked_project(dg.StaticPartitionsDefinition(["vienna", "graz"]))
    result = compile_project(project_from_definitions("project", defs), demo_settings())
    [warning] = [w for w in result.warnings if "orders_have_prices" in w]
    assert warning.startswith("asset check orders:orders_have_prices: runs in the pod of its fanned-out asset orders")
    [text] = [t for name, t in result.files.items() if name.endswith("workflowtemplate.yaml")]
    assert "--check" not in text
