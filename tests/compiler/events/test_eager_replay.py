"""Acceptance: AutomationCondition.eager() on `combined` (tests/compiler/projects/eager.py), downstream of two
compiled assets. Dagster's side: the same sequence of runs on an instance, with `evaluate_automation_conditions`
ticked after each (cursor carried on, as the automation sensor does) and each request launched. The compiled side:
run-local of the same jobs (the parents' pods write their markers into the real SeaweedFS bucket), then run-events
delivers the markers to the compiled Sensors, whose Workflows' pod gates on eager's meaning. Both run `combined` at
the same steps: not while a parent is missing, once when the last parent arrives, not after `main` already ran
everything, again when one parent is updated alone."""

import json
import os
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.instance.ref import InstanceRef

from devservices.postgres.server import PostgresServer
from tests.compiler.events.replay_settings import replay_settings
from tests.compiler.events.test_object_sensor_replay import _client, _compiler

MODULE = "tests.compiler.projects.eager"
INSTANCE = """
[tool.compiler.instance]
kind = "postgres"
password = { name = "dagster-postgresql", key = "password" }
"""
# entrypoint of each step: a job's DAG, or `main` (every asset: the parents, then combined)
STEPS = ("job-a-job", "job-b-job", "main", "job-a-job")


def _dagster_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outside: list[str]) -> list[int]:
    """How often Dagster materializes `combined` at each step, its own runs included (main's); `outside`: assets
    materialized before anything else, outside any run (another deployment, a manual report)."""
    from tests.compiler.projects.eager import combined, defs

    monkeypatch.setenv("FIXTURE_MARKER_DIR", str(tmp_path / "dagster-markers"))
    jobs = {
        "job-a-job": defs.resolve_job_def("a_job"),
        "job-b-job": defs.resolve_job_def("b_job"),
        "main": defs.resolve_implicit_global_asset_job_def(),
    }
    counts = []
    with dg.DagsterInstance.ephemeral() as instance:
        for asset in outside:
            instance.report_runless_asset_event(dg.AssetMaterialization(asset))
        cursor = dg.evaluate_automation_conditions(defs=defs, instance=instance).cursor
        for step in STEPS:
            before = _runs(tmp_path / "dagster-markers")
            assert jobs[step].execute_in_process(instance=instance).success
            result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
            cursor = result.cursor
            if result.get_num_requested(combined.key):  # the automation sensor launches the request
                subset = jobs["main"].get_subset(asset_selection={combined.key})
                assert subset.execute_in_process(instance=instance).success
                # the sensor ticks again (every ~30 s) before the next job starts: the steps here are far apart
                cursor = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor).cursor
            counts.append(_runs(tmp_path / "dagster-markers") - before)
    return counts


def _open(directory: Path, pg: dict[str, str]) -> dg.DagsterInstance:
    """The shared instance as a Dagster deployment opens it, from a dagster.yaml written here."""
    directory.mkdir(parents=True, exist_ok=True)
    url = (
        f"postgresql+psycopg2://{pg['DAGSTER_PG_USER']}:{pg['DAGSTER_PG_PASSWORD']}@{pg['DAGSTER_PG_HOST']}:"
        f"{pg['DAGSTER_PG_PORT']}/{pg['DAGSTER_PG_DB']}"
    )
    (directory / "dagster.yaml").write_text(json.dumps({"storage": {"postgres": {"postgres_url": url}}}))
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(directory)))


def _runs(markers: Path) -> int:
    return len(list(markers.glob("combined@*"))) if markers.exists() else 0


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("gate", ["markers", "shared instance"])
def test_dagster_and_the_compiled_eager_condition_run_combined_at_the_same_steps(
    gate: str, s3_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """The gate reads the markers' times, or with [tool.compiler.instance] the real PostgreSQL instance's records,
    which also hold a materialization made outside Argo's steps (no marker): the gate sees it as Dagster does."""
    markers = tmp_path / "markers"
    settings = replay_settings("eager", s3_env, markers)
    outside: list[str] = []
    if gate == "shared instance":
        postgres: PostgresServer = request.getfixturevalue("postgres")
        database = f"eager_{os.getpid()}_{time.monotonic_ns()}"
        postgres.create_database(database)
        pg = postgres.env(database)
        s3_env = {**s3_env, **pg}
        outside = ["upstream_b"]
        with _open(tmp_path / "instance", pg) as instance:
            instance.report_runless_asset_event(dg.AssetMaterialization("upstream_b"))
        connection = "".join(  # the ConfigMap's non-secret connection values; the password stays a Secret
            f'{name} = "{value}"\n' for name, value in sorted(pg.items()) if name != "DAGSTER_PG_PASSWORD"
        )
        settings = settings.replace("[tool.compiler.env]", connection + "\n[tool.compiler.env]") + INSTANCE
        settings = settings.replace(  # the instance's own keys come with [tool.compiler.instance]
            'config_map = "eager-config"',
            'config_map = "eager-config"\nconfig_keys = ["FIXTURE_MARKER_DIR", "MINIO_BUCKET", "MINIO_ENDPOINT"]',
        )
    (tmp_path / "pyproject.toml").write_text(settings, encoding="utf-8")
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
    expected = _dagster_runs(tmp_path, monkeypatch, outside)
    assert argo == expected
    if not outside:  # a parent missing: nothing; the last one arrives: once; main: only its own; one parent: once
        assert expected == [0, 1, 1, 1]
    else:  # upstream_b was materialized outside Argo: only the instance knows, so the first run of a starts it
        assert expected == [1, 1, 1, 1]


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
