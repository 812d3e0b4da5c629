"""Acceptance: AutomationCondition.eager() on `combined` (tests/compiler/projects/eager.py), downstream of two
compiled assets. Dagster's side: the same sequence of runs on an instance, with `evaluate_automation_conditions`
ticked after each (cursor carried on, as the automation sensor does) and each request launched. The compiled side:
run-local of the same jobs (the parents' pods write their markers into the real SeaweedFS bucket), then run-events
delivers the markers to the compiled Sensors, whose Workflows' pod gates on eager's meaning. Both run `combined` at
the same steps: not while a parent is missing, once when the last parent arrives, not after `main` already ran
everything, again when one parent is updated alone."""

import json
from pathlib import Path

import dagster as dg
import pytest

from tests.compiler.events.replay_settings import replay_settings
from tests.compiler.events.test_object_sensor_replay import _client, _compiler

MODULE = "tests.compiler.projects.eager"
# entrypoint of each step: a job's DAG, or `main` (every asset: the parents, then combined)
STEPS = ("job-a-job", "job-b-job", "main", "job-a-job")


def _dagster_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How often Dagster materializes `combined` at each step, its own runs included (main's)."""
    from tests.compiler.projects.eager import combined, defs

    monkeypatch.setenv("FIXTURE_MARKER_DIR", str(tmp_path / "dagster-markers"))
    jobs = {
        "job-a-job": defs.resolve_job_def("a_job"),
        "job-b-job": defs.resolve_job_def("b_job"),
        "main": defs.resolve_implicit_global_asset_job_def(),
    }
    counts = []
    with dg.DagsterInstance.ephemeral() as instance:
        cursor = dg.evaluate_automation_conditions(defs=defs, instance=instance).cursor
        for step in STEPS:
            before = _runs(tmp_path / "dagster-markers")
            assert jobs[step].execute_in_process(instance=instance).success
            result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
            cursor = result.cursor
            if result.get_num_requested(combined.key):  # the automation sensor launches the request
                subset = jobs["main"].get_subset(asset_selection={combined.key})
                assert subset.execute_in_process(instance=instance).success
            counts.append(_runs(tmp_path / "dagster-markers") - before)
    return counts


def _runs(markers: Path) -> int:
    return len(list(markers.glob("combined@*"))) if markers.exists() else 0


@pytest.mark.timeout(1200)
def test_dagster_and_the_compiled_eager_condition_run_combined_at_the_same_steps(
    s3_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    markers = tmp_path / "markers"
    (tmp_path / "pyproject.toml").write_text(replay_settings("eager", s3_env, markers), encoding="utf-8")
    out = tmp_path / "out"
    built = _compiler(
        ["build", "--module", MODULE, "--settings", str(tmp_path / "pyproject.toml"), "--out", str(out)],
        s3_env,
        markers,
    )
    assert built.returncode == 0, built.stderr
    assert "warning: asset combined: AutomationCondition.eager() (Sensor eager_combined__after__upstream_a)" in (
        built.stderr
    )
    _client(s3_env).make_bucket(s3_env["MINIO_BUCKET"])
    template = str(out / "eager.workflowtemplate.yaml")
    state = str(tmp_path / "state.json")
    replay = ["run-events", str(out), "--endpoint", s3_env["MINIO_ENDPOINT"], "--state", state]
    argo = []
    for step in STEPS:
        before = _runs(markers)
        ran = _compiler(["run-local", template, "--entrypoint", step], s3_env, markers)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        replayed = _compiler(replay, s3_env, markers)
        assert replayed.returncode == 0, replayed.stdout + replayed.stderr
        argo.append(_runs(markers) - before)

    # every parent marker started a Workflow (a, b, main's a and b, a): the skips are the gate's decision
    assert len(json.loads(Path(state).read_text(encoding="utf-8"))["workflows"]) == 5
    expected = _dagster_runs(tmp_path, monkeypatch)
    assert argo == expected
    # a parent missing: nothing; the last parent arrives: once; main ran both: only main's own; one parent again: once
    assert expected == [0, 1, 1, 1]


def test_eager_without_compiled_parents_or_with_partitions_is_refused_naming_the_asset() -> None:
    from compiler.builder.load import project_from_definitions
    from compiler.errors import UnsupportedInputError

    eager = dg.AutomationCondition.eager()
    source = dg.AssetSpec("source")

    @dg.asset(deps=[source], automation_condition=eager)
    def on_external() -> None: ...

    with pytest.raises(UnsupportedInputError, match=r"asset on_external: AutomationCondition.eager\(\): its parent"):
        project_from_definitions("x", dg.Definitions(assets=[source, on_external]))

    daily = dg.DailyPartitionsDefinition(start_date="2026-01-01")

    @dg.asset(partitions_def=daily)
    def day() -> None: ...

    @dg.asset(partitions_def=daily, deps=[day], automation_condition=eager)
    def summary() -> None: ...

    with pytest.raises(UnsupportedInputError, match=r"asset summary: AutomationCondition.eager\(\) with partitions"):
        project_from_definitions("x", dg.Definitions(assets=[day, summary]))
