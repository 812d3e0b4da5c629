"""AutomationCondition.on_cron at a time daylight-saving switches touch (02:30 in Europe/Vienna) compiles like a
schedule there: extra cron entries for the tick robfig misses and the schedule-gate for the ticks it fires that
Dagster does not. Each tick robfig fires around the 2026 switches (the port of Argo's cron, on the YAML's own
`schedules`) is replayed with `run-local`; the ticks that materialize the asset must be exactly the ones after which
Dagster's own automation evaluation (`evaluate_automation_conditions`, every 15 minutes through the same days)
requests a run."""

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest

from compiler.builder.fidelity.on_cron_ticks import reverse_disagreements
from compiler.validate.robfig import argo_schedules, argo_ticks
from tests.compiler.argo_schema import schema_errors
from tests.compiler.run_local.replay_support import build, compiler, dag_tasks, load_yaml, shapes_env

MODULE = "tests.compiler.projects.on_cron_dst"
# the day before each 2026 switch to the morning after (the switches are at 01:00 UTC)
SPANS = (
    (datetime(2026, 3, 28, 0, tzinfo=UTC), datetime(2026, 3, 29, 14, tzinfo=UTC)),
    (datetime(2026, 10, 24, 0, tzinfo=UTC), datetime(2026, 10, 25, 14, tzinfo=UTC)),
)
STEP = timedelta(minutes=15)


def _dagster_requests() -> list[tuple[datetime, datetime]]:
    """Dagster's answer: (previous evaluation, evaluation) of each evaluation that requested night_root."""
    os.environ["SHAPES_DIR"] = "unused"
    try:
        from tests.compiler.projects.on_cron_dst import defs

        instance = dg.DagsterInstance.ephemeral()
        requested = []
        for low, high in SPANS:
            cursor, at = None, low
            while at < high:
                result = dg.evaluate_automation_conditions(
                    defs=defs, instance=instance, cursor=cursor, evaluation_time=at
                )
                if cursor is not None and result.get_num_requested(dg.AssetKey("night_root")):
                    requested.append((at - STEP, at))
                cursor, at = result.cursor, at + STEP
        return requested
    finally:
        del os.environ["SHAPES_DIR"]


def test_on_cron_at_a_switched_time_gets_the_schedules_entries_and_gate(tmp_path: Path) -> None:
    built = build(MODULE, tmp_path)
    assert built.returncode == 0, built.stderr
    [path] = (tmp_path / "out").glob("*.cronworkflow.yaml")
    cron = load_yaml(path)
    assert schema_errors(cron) == []
    assert cron["spec"]["schedules"] == ["30 2 * * *", "0 3 * 3 0"]  # 03:00 on Sundays of March: the spring tick
    assert cron["metadata"]["annotations"]["dagster.io/tick-filter"] == "schedule-gate"
    entrypoint = cron["spec"]["workflowSpec"]["entrypoint"]
    tasks = dag_tasks(load_yaml(tmp_path / "out" / "shapes.workflowtemplate.yaml"), entrypoint)
    assert "schedule-gate" in tasks
    validated = compiler(["validate", *map(str, sorted((tmp_path / "out").glob("*.yaml")))], shapes_env(tmp_path))
    assert validated.returncode == 0, validated.stdout + validated.stderr


@pytest.mark.parametrize(
    ("cron", "zone"),
    [("30 2 * * *", "Europe/Vienna"), ("0 0 * * *", "America/Santiago"), ("15 2 * * *", "Australia/Lord_Howe"),
     ("*/15 * * * *", "Europe/London")],
)  # fmt: skip
def test_dagsters_on_cron_ticks_are_its_schedule_ticks_at_the_switches(cron: str, zone: str) -> None:
    assert reverse_disagreements(cron, zone, (2026, 2027)) == []


@pytest.mark.timeout(900)
def test_the_replayed_ticks_that_materialize_are_the_ones_dagster_requests_after(tmp_path: Path) -> None:
    built = build(MODULE, tmp_path)
    assert built.returncode == 0, built.stderr
    [path] = (tmp_path / "out").glob("*.cronworkflow.yaml")
    cron = load_yaml(path)
    schedules = argo_schedules(cron["spec"]["schedules"], cron["spec"]["timezone"])
    materialized: list[datetime] = []
    fired = 0
    for low, high in SPANS:
        for instant in argo_ticks(schedules, int(low.timestamp()), int(high.timestamp())):
            fired += 1
            tick = datetime.fromtimestamp(instant, UTC)
            directory = tmp_path / f"replay-{instant}"
            replay = compiler(
                ["run-local", str(tmp_path / "out" / "shapes.workflowtemplate.yaml"), "--entrypoint",
                 cron["spec"]["workflowSpec"]["entrypoint"], "--scheduled-time", tick.strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "-p", "schedule=on_cron_night_root", "--backoff-scale", "0"],
                shapes_env(directory),
            )  # fmt: skip
            output = replay.stdout + replay.stderr
            assert replay.returncode == 0, output[-3000:]
            if re.search(r"^✔ night-root ", output, re.MULTILINE):
                assert (directory / "night_root").exists()
                materialized.append(tick)
    assert fired == 5  # 02:30 on the 28th, 03:00 on the 29th; 02:30 on the 24th, 02:30 twice on the 25th
    requests = _dagster_requests()
    assert len(requests) == len(materialized) == 4  # robfig's first 02:30 of the autumn overlap is skipped
    for (previous, at), tick in zip(requests, materialized, strict=True):
        assert previous < tick <= at


def test_a_jobs_on_cron_at_a_switched_time_is_covered_and_the_gate_finds_its_cron() -> None:
    """`any_job_root_assets_match(on_cron(...))` at 02:30 in Vienna: the same entries and gate as an asset's, and the
    pods' lookup (the gate's) answers Dagster's tick iterator for the job's cron and zone."""
    from compiler.builder.load import project_from_definitions
    from compiler.materialize.dagster_tick import is_dagster_tick, tick_schedule
    from tests.compiler.shapes import make_asset

    condition = dg.AutomationCondition.any_job_root_assets_match(
        dg.AutomationCondition.on_cron("30 2 * * *", "Europe/Vienna")
    )
    job = dg.define_asset_job("nightly", selection=["first"], automation_condition=condition)
    defs = dg.Definitions(assets=[make_asset("first", [])], jobs=[job])
    [spec] = [s for s in project_from_definitions("p", defs).schedules if s.name == "automation_nightly"]
    assert spec.argo_crons == ("30 2 * * *", "0 3 * 3 0")
    assert spec.tick_filter
    schedule = tick_schedule(defs, "automation_nightly")
    assert schedule is not None
    assert is_dagster_tick(schedule, datetime(2026, 3, 29, 1, 0, tzinfo=UTC))  # 03:00 CEST: Dagster's moved tick
    assert not is_dagster_tick(schedule, datetime(2026, 3, 22, 2, 0, tzinfo=UTC))  # the entry's other Sundays
    assert not is_dagster_tick(schedule, datetime(2026, 10, 25, 0, 30, tzinfo=UTC))  # robfig's first 02:30
    assert is_dagster_tick(schedule, datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    assert tick_schedule(defs, "on_cron_unknown") is None
