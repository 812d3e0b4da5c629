"""`compiler.sensors.eager.due`, the gate's decision, against Dagster's own evaluation of eager: for each state (which
assets were materialized, in which order, since the last tick), `evaluate_automation_conditions` on an instance
holding those materializations requests `combined` exactly when `due` says run over the same order of times."""

from datetime import UTC, datetime

import dagster as dg
import pytest
import yaml

from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import compile_project
from compiler.sensors.eager import due, eager_parents, is_eager, trigger_name
from compiler.settings import parse_settings
from tests.compiler.events.test_events_compile import SETTINGS

PARENTS = ("upstream_a", "upstream_b")
T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC).timestamp()  # a marker time, in seconds


def _dagster_requests(ticks: list[list[str]]) -> bool:
    """Dagster: a tick before anything, then per tick the runs it lists (one asset each) and a tick: is the last
    tick's answer a request?"""
    from tests.compiler.projects.eager import combined, defs, upstream_a, upstream_b

    assets = {"upstream_a": upstream_a, "upstream_b": upstream_b, "combined": combined}
    with dg.DagsterInstance.ephemeral() as instance:
        cursor = dg.evaluate_automation_conditions(defs=defs, instance=instance).cursor
        requested = False
        for runs in ticks:
            for name in runs:
                if name == "combined":
                    job = defs.resolve_implicit_global_asset_job_def().get_subset(asset_selection={combined.key})
                    assert job.execute_in_process(instance=instance).success
                else:
                    assert dg.materialize([assets[name]], instance=instance).success
            result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
            cursor = result.cursor
            requested = result.get_num_requested(combined.key) == 1
        return requested


@pytest.mark.parametrize(
    "ticks",
    [
        [["upstream_a"]],  # a parent missing
        [["upstream_a"], ["upstream_b"]],  # the last parent arrives, combined missing
        [["upstream_a", "upstream_b", "combined"]],  # main ran everything
        [["upstream_b", "upstream_a", "combined"], ["upstream_a"]],  # one parent again, a tick after combined
        [["upstream_a", "upstream_b"], ["combined"], ["upstream_b"]],
    ],
)
def test_due_agrees_with_dagsters_eager(
    ticks: list[list[str]], monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    """The gate runs on each event, so the last tick holds the event's run (Dagster's answer within one tick can
    differ: see test_within_one_tick_a_parent_after_the_asset_is_the_documented_difference)."""
    monkeypatch.setenv("FIXTURE_MARKER_DIR", str(tmp_path))
    latest: dict[str, float | None] = {name: None for name in (*PARENTS, "combined")}
    for seconds, name in enumerate(name for runs in ticks for name in runs):
        latest[name] = T0 + 10 * seconds
    run, why = due("combined", latest, PARENTS)
    assert run == _dagster_requests(ticks), why


def test_within_one_tick_a_parent_after_the_asset_is_the_documented_difference(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    """Dagster sees the parent and the asset updated since its last tick and requests nothing (nor later); the gate,
    evaluated on the parent's own event, runs the asset: warned by `build` (compiler/builder/eager.py)."""
    monkeypatch.setenv("FIXTURE_MARKER_DIR", str(tmp_path))
    order = ["upstream_a", "upstream_b", "combined", "upstream_a"]
    assert _dagster_requests([order]) is False
    latest: dict[str, float | None] = {"upstream_b": T0, "combined": T0 + 10}
    latest["upstream_a"] = T0 + 20
    assert due("combined", latest, PARENTS)[0] is True


def test_equal_times_count_as_one_run_and_the_project_is_read_as_eager() -> None:
    from tests.compiler.projects.eager import combined, defs

    assert due("combined", {"upstream_a": T0, "upstream_b": T0, "combined": T0}, PARENTS)[0] is False
    parents = eager_parents(defs.resolve_asset_graph())
    assert parents == {combined.key: (dg.AssetKey("upstream_a"), dg.AssetKey("upstream_b"))}
    assert is_eager(dg.AutomationCondition.eager())
    assert not is_eager(dg.AutomationCondition.eager() & dg.AutomationCondition.on_missing())
    assert trigger_name(combined.key, dg.AssetKey("upstream_a")) == "eager_combined__after__upstream_a"


def test_the_compiled_entrypoint_runs_only_the_eager_asset_whose_pod_gets_the_store_credentials() -> None:
    """One Sensor per parent starts `job-eager-combined`, a DAG of the eager asset alone; with secrets_per_asset
    its pod still mounts the store's credentials, which the gate needs to read the markers."""
    from tests.compiler.projects import eager

    settings = parse_settings({**SETTINGS, "secrets_per_asset": True})
    files = compile_project(project_from_definitions(eager.__name__, eager.defs), settings).all_files
    documents = {name: yaml.safe_load(text) for name, text in files.items()}
    sensors = sorted(d["metadata"]["name"] for d in documents.values() if d["kind"] == "Sensor")
    assert sensors == [
        "object-events-eager-combined-after-upstream-a",
        "object-events-eager-combined-after-upstream-b",
    ]
    [template] = [d for d in documents.values() if d["kind"] == "WorkflowTemplate"]
    templates = {t["name"]: t for t in template["spec"]["templates"]}
    tasks = templates["job-eager-combined"]["dag"]["tasks"]
    assert [task["name"] for task in tasks] == ["combined"]
    container = templates[tasks[0]["template"]]["container"]
    assert {"MINIO_ACCESS_KEY", "MINIO_SECRET_KEY"} <= {entry["name"] for entry in container["env"]}
