"""Dynamic partitions compile to a planning task reading the keys from the shared instance and a withParam fan-out
(compiler/builder/dynamic_partitions.py); the replay against Dagster is tests/compiler/run_local/
test_dynamic_partitions_replay.py."""

import os
from pathlib import Path

import dagster as dg
import pytest

from compiler.builder.load import project_from_definitions
from compiler.errors import UnsupportedInputError
from tests.compiler.shapes import make_asset
from tests.compiler.support import REPO, compile_defs, compiler_process, dag, workflow_template

INSTANCE = {"kind": "postgres", "password": {"name": "dagster-postgresql", "key": "password"}}
CITIES = dg.DynamicPartitionsDefinition(name="cities")
SENSORS = dg.DynamicPartitionsDefinition(name="sensors")


def _defs() -> dg.Definitions:
    reading = make_asset("reading", [], partitions_def=CITIES)
    report = make_asset("report", ["reading"], partitions_def=CITIES)
    total = make_asset("total", ["report"])  # unpartitioned: Dagster reads every city (AllPartitionMapping)
    probe = make_asset("probe", [], partitions_def=SENSORS)
    job = dg.define_asset_job("reports", selection=["report"])
    return dg.Definitions(assets=[reading, report, total, probe], jobs=[job])


def test_each_definition_is_listed_once_per_dag_and_its_assets_fan_out_over_the_list() -> None:
    template = workflow_template(compile_defs(_defs(), instance=INSTANCE))
    main = dag(template)
    assert main["plan-reading"]["template"] == "plan-partitions"
    params = {p["name"]: p["value"] for p in main["plan-reading"]["arguments"]["parameters"]}
    assert params["asset"] == params["upstream"] == "reading"
    assert params["partition"] == "{{inputs.parameters.partition}}"  # an explicit key is checked, then run alone
    keys = "{{tasks.plan-reading.outputs.parameters.keys}}"
    assert main["reading"]["withParam"] == keys
    assert main["report"]["withParam"] == keys  # one list for both: the keys read once, as a backfill fixes them
    assert "plan-report" not in main
    assert main["report"]["depends"] == "plan-reading && reading"
    assert main["total"]["depends"] == "report"
    assert "withParam" not in main["total"]
    assert main["probe"]["withParam"] == "{{tasks.plan-probe.outputs.parameters.keys}}"
    for name in ("reading", "report", "probe"):
        partition = next(p for p in main[name]["arguments"]["parameters"] if p["name"] == "partition")
        assert partition["value"] == "{{item}}"
    job = dag(template, "job-reports")
    assert set(job) == {"plan-report", "report"}  # the job's own DAG lists the keys itself
    assert job["report"]["withParam"] == "{{tasks.plan-report.outputs.parameters.keys}}"


def test_the_planning_pod_reads_the_shared_instance() -> None:
    template = workflow_template(compile_defs(_defs(), instance=INSTANCE))
    [step] = [t for t in template["spec"]["templates"] if t["name"] == "plan-partitions"]
    env = {e["name"]: e for e in step["container"]["env"]}
    assert env["DAGSTER_ARGO_INSTANCE"]["value"] == "postgres"
    assert env["DAGSTER_PG_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "dagster-postgresql", "key": "password"}


def test_without_a_shared_instance_the_asset_and_the_setting_are_named() -> None:
    with pytest.raises(UnsupportedInputError) as error:
        compile_defs(_defs())
    assert str(error.value).startswith("asset probe: DynamicPartitionsDefinition 'sensors'") or str(
        error.value
    ).startswith("asset reading: DynamicPartitionsDefinition 'cities'")
    assert "[tool.compiler.instance]" in str(error.value)


def test_a_dependency_between_dynamic_and_time_window_partitions_is_refused_naming_both() -> None:
    daily = make_asset("daily", [], partitions_def=dg.DailyPartitionsDefinition(start_date="2026-01-01"))
    city = make_asset("city", ["daily"], partitions_def=CITIES)
    with pytest.raises(UnsupportedInputError) as error:
        compile_defs(dg.Definitions(assets=[daily, city]), instance=INSTANCE)
    message = str(error.value)
    assert message.startswith("asset city (dynamic partitions 'cities') depends on asset daily (cron '0 0 * * *'")
    assert "not mapped yet" in message


def test_the_planning_command_without_a_shared_instance_is_a_usage_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_ARGO_INSTANCE"} | {"PYTHONPATH": str(REPO)}
    arguments = ["plan-partitions", "--module", "tests.compiler.projects.dynamic", "--asset", "city_reading"]
    result = compiler_process([*arguments, "--upstream", "city_reading", "--output", str(tmp_path / "k")], REPO, env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "asset 'city_reading' has dynamic partitions" in result.stdout
    assert "[tool.compiler.instance]" in result.stdout
    assert not (tmp_path / "k").exists()


def test_a_downstream_dynamic_asset_warns_that_a_failing_upstream_key_holds_back_every_key() -> None:
    project = project_from_definitions("project", _defs())
    warnings = {asset.key_path: asset.warnings for asset in project.assets}
    assert warnings["reading"] == warnings["probe"] == warnings["total"] == ()
    [warning] = warnings["report"]
    assert warning.startswith("asset report: its dynamic partitions fan out after every key of asset(s) reading")


def test_a_schedule_of_dynamic_assets_is_refused_as_dagster_runs_it_without_a_key() -> None:
    """Dagster's answer for a plain schedule: its RunRequest names no partition key (so every step of that run
    fails); fanning out over every key instead would change the meaning."""
    defs = _defs()
    job = dg.define_asset_job("readings", selection=["reading"], partitions_def=CITIES)
    schedule = dg.ScheduleDefinition(name="nightly", job=job, cron_schedule="0 1 * * *")
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions("cities", ["vienna"])
        scheduled = dg.Definitions(assets=defs.assets, jobs=[job], schedules=[schedule])
        repository = scheduled.get_repository_def()
        with dg.build_schedule_context(instance=instance, repository_def=repository) as context:
            [request] = repository.get_schedule_def("nightly").evaluate_tick(context).run_requests or []
    assert request.partition_key is None
    with pytest.raises(UnsupportedInputError) as error:
        compile_defs(scheduled, instance=INSTANCE)
    assert str(error.value).startswith("schedule nightly: starts runs of asset reading, which has dynamic partitions")


def test_a_check_with_additional_deps_on_a_dynamic_asset_stays_in_its_pod_with_a_warning() -> None:
    """Its own task would have no key to run (it is not fanned out): it runs per key in the asset's pod."""

    @dg.asset_check(asset="reading", additional_deps=["probe"])
    def plausible() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=True)

    defs = _defs()
    project = project_from_definitions("project", dg.Definitions(assets=defs.assets, asset_checks=[plausible]))
    [reading] = [asset for asset in project.assets if asset.key_path == "reading"]
    assert reading.check_tasks == ()
    assert any(
        w.startswith("asset check reading:plausible: runs in the pod of its fanned-out asset") for w in reading.warnings
    )
    main = dag(
        workflow_template(compile_defs(dg.Definitions(assets=defs.assets, asset_checks=[plausible]), instance=INSTANCE))
    )
    assert not [name for name in main if "plausible" in name]
