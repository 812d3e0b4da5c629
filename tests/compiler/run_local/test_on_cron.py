"""A root asset with AutomationCondition.on_cron becomes a suspended CronWorkflow on the same cron and zone; its
replay materializes exactly what Dagster's own evaluation of the condition requests after a tick."""

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from compiler.builder.load import project_from_definitions
from compiler.errors import UnsupportedInputError
from tests.compiler.argo_schema import schema_errors
from tests.compiler.run_local.replay_support import build, dag_tasks, load_yaml, run_local, written_keys
from tests.compiler.shapes import make_asset

MODULE = "tests.compiler.projects.on_cron"
VIENNA = ZoneInfo("Europe/Vienna")


def _dagster_requests() -> set[str]:
    """Dagster's answer: evaluate the conditions before and just after the 03:00 Vienna tick."""
    os.environ["SHAPES_DIR"] = "unused"
    try:
        from tests.compiler.projects.on_cron import defs

        instance = dg.DagsterInstance.ephemeral()
        before = dg.evaluate_automation_conditions(
            defs=defs, instance=instance, evaluation_time=datetime(2026, 11, 28, 2, 59, tzinfo=VIENNA)
        )
        after = dg.evaluate_automation_conditions(
            defs=defs,
            instance=instance,
            cursor=before.cursor,
            evaluation_time=datetime(2026, 11, 28, 3, 0, 30, tzinfo=VIENNA),
        )
        assert before.total_requested == 0
        return {
            key.to_user_string()
            for key in defs.resolve_asset_graph().materializable_asset_keys
            if after.get_num_requested(key)
        }
    finally:
        del os.environ["SHAPES_DIR"]


def test_on_cron_becomes_a_cron_workflow_and_replays_dagsters_request(tmp_path: Path) -> None:
    result = build(MODULE, tmp_path)
    assert result.returncode == 0, result.stderr
    [cron_file] = (tmp_path / "out").glob("*.cronworkflow.yaml")
    cron = load_yaml(cron_file)
    assert schema_errors(cron) == []
    assert cron["spec"]["schedules"] == ["0 3 * * *"]
    assert cron["spec"]["timezone"] == "Europe/Vienna"
    assert cron["spec"]["suspend"] is True  # Dagster's default automation sensor starts stopped
    entrypoint = cron["spec"]["workflowSpec"]["entrypoint"]
    template = tmp_path / "out" / "shapes.workflowtemplate.yaml"
    assert set(dag_tasks(load_yaml(template), entrypoint)) == {"nightly-root"}
    replay = run_local(template, tmp_path / "replay", "--entrypoint", entrypoint)
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-2000:]
    assert written_keys(tmp_path / "replay") == _dagster_requests() == {"nightly_root"}


@pytest.mark.parametrize(
    ("condition", "named"),
    [
        (dg.AutomationCondition.eager(), "AutomationCondition.eager() on an asset without dependencies"),
        (dg.AutomationCondition.on_missing(), "is not supported"),
        (dg.AutomationCondition.on_cron("0 3 * * *") & dg.AutomationCondition.missing(), "is not supported"),
    ],
)
def test_other_conditions_are_refused_by_name(condition: dg.AutomationCondition, named: str) -> None:
    asset = make_asset("watched", [], automation_condition=condition)
    with pytest.raises(UnsupportedInputError) as error:
        project_from_definitions("p", dg.Definitions(assets=[asset]))
    assert "asset watched" in str(error.value)
    assert named in str(error.value)


def test_on_cron_with_dependencies_is_refused() -> None:
    upstream = make_asset("up", [])
    asset = make_asset("down", ["up"], automation_condition=dg.AutomationCondition.on_cron("0 3 * * *"))
    with pytest.raises(UnsupportedInputError) as error:
        project_from_definitions("p", dg.Definitions(assets=[upstream, asset]))
    assert "asset down: on_cron(0 3 * * *, UTC) waits for its dependencies" in str(error.value)
