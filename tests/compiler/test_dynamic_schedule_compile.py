"""A `@schedule` over dynamically partitioned assets compiles to a CronWorkflow whose job DAG's planning task
evaluates the schedule's body against the shared instance (compiler/builder/dynamic_partitions.py,
compiler/materialize/dynamic_schedule.py); the replay against Dagster is tests/compiler/run_local/
test_dynamic_schedule_replay.py."""

import os
from pathlib import Path

import dagster as dg
import pytest

from compiler.errors import UnsupportedInputError
from tests.compiler.run_local.dynamic_support import INSTANCE as INSTANCE_TOML
from tests.compiler.run_local.dynamic_support import SETTINGS
from tests.compiler.support import REPO, compile_defs, compiler_process, dag, workflow_template

INSTANCE = {"kind": "postgres", "password": {"name": "dagster-postgresql", "key": "password"}}


def _defs() -> dg.Definitions:
    from tests.compiler.projects.dynamic_schedule import defs

    return defs


def test_dagster_cannot_build_a_schedule_from_a_dynamic_job() -> None:
    """Why a dynamic job's schedule is always a @schedule body: Dagster's own builder refuses the definition."""
    job = _defs().resolve_job_def("cities_job")
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.build_schedule_from_partitioned_job(job, cron_schedule="0 3 * * *")


def test_each_tick_runs_the_job_dag_whose_planning_task_gets_the_schedule() -> None:
    documents = compile_defs(_defs(), instance=INSTANCE)
    cron = documents["demo-cities-by-parity.cronworkflow.yaml"]
    assert cron["spec"]["schedules"] == ["0 3 * * *"]
    entrypoint = cron["spec"]["workflowSpec"]["entrypoint"]
    arguments = {p["name"]: p["value"] for p in cron["spec"]["workflowSpec"]["arguments"]["parameters"]}
    assert arguments["schedule"] == "cities_by_parity"
    job = dag(workflow_template(documents), entrypoint)
    assert "schedule-gate" not in job  # no cron entry to filter; the body runs in the planning task
    [plan] = [name for name, task in job.items() if task["template"] == "plan-partitions"]
    assert (
        job["city-reading"]["withParam"]
        == job["city-report"]["withParam"]
        == (f"{{{{tasks.{plan}.outputs.parameters.keys}}}}")
    )
    [step] = [t for t in workflow_template(documents)["spec"]["templates"] if t["name"] == "plan-partitions"]
    args = step["container"]["args"]
    assert args[args.index("--schedule") + 1] == "{{workflow.parameters.schedule}}"


def test_without_a_shared_instance_the_schedule_and_the_setting_are_named() -> None:
    with pytest.raises(UnsupportedInputError) as error:
        compile_defs(_defs())
    message = str(error.value)
    assert message.startswith("schedule cities_by_parity: starts runs of asset city_reading")
    assert "[tool.compiler.instance]" in message


def test_listing_the_ticks_says_the_keys_are_only_known_when_a_tick_runs(tmp_path: Path) -> None:
    """`run-local --from/--to` cannot name a tick's keys without evaluating the body against the instance."""
    (tmp_path / "pyproject.toml").write_text(SETTINGS + INSTANCE_TOML, encoding="utf-8")
    module = "tests.compiler.projects.dynamic_schedule"
    settings = ["--settings", str(tmp_path / "pyproject.toml"), "--out", str(tmp_path / "out")]
    built = compiler_process(["build", "--module", module, *settings], REPO, {**os.environ})
    assert built.returncode == 0, built.stderr
    cron = tmp_path / "out" / "dynamic-cities-by-parity.cronworkflow.yaml"
    listed = compiler_process(
        ["run-local", str(cron), "--from", "2026-11-27", "--to", "2026-11-29"], REPO, {**os.environ}
    )
    assert listed.returncode == 2
    assert "asset 'city_reading' has dynamic partitions: the keys a tick builds" in listed.stderr + listed.stdout
    assert "Traceback" not in listed.stderr
