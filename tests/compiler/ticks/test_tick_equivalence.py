"""`build` refuses a schedule whose Argo ticks (robfig) differ from Dagster's; `validate` applies the same check.

Expected dates come from zoneinfo here, never from the compiler's output; Dagster's ticks from Dagster itself.
"""

import copy
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
import yaml

from compiler.builder.load import load_project, project_from_definitions
from compiler.validate import validate_manifest
from compiler.validate.robfig import argo_schedules, argo_ticks
from compiler.validate.ticks import CHECK_YEARS, dagster_ticks, tick_differences
from tests.compiler.support import compile_defs, run_compiler, write_project

GOLDEN_CRON = Path(__file__).parents[1] / "golden" / "vienna" / "demo-nightly-schedule.cronworkflow.yaml"


def _partitioned(timezone: str, hour: int, minute: int) -> dg.Definitions:
    partitions = dg.DailyPartitionsDefinition(start_date="2026-01-01", timezone=timezone)

    @dg.asset(partitions_def=partitions)
    def daily() -> None: ...

    job = dg.define_asset_job("daily_job", selection=[daily], partitions_def=partitions)
    schedule = dg.build_schedule_from_partitioned_job(job, hour_of_day=hour, minute_of_hour=minute, name="nightly")
    return dg.Definitions(assets=[daily], jobs=[job], schedules=[schedule])


def _offset_change_days(timezone: str, year: int) -> list[date]:
    """Local dates of `year` on which the zone's UTC offset changes (read from zoneinfo, hour by hour)."""
    zone = ZoneInfo(timezone)
    days: list[date] = []
    moment = datetime(year, 1, 1, tzinfo=ZoneInfo("UTC"))
    while moment.year == year:
        after = moment + timedelta(hours=1)
        if after.astimezone(zone).utcoffset() != moment.astimezone(zone).utcoffset():
            days.append(after.astimezone(zone).date())
        moment = after
    return days


def _midnight_missing(timezone: str, day: date) -> bool:
    """True when local midnight of `day` does not exist (the round trip through UTC moves it)."""
    zone = ZoneInfo(timezone)
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
    return midnight.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None) != midnight.replace(tzinfo=None)


def _cron_workflow(documents: dict[str, Any]) -> dict[str, Any]:
    [cron] = [d for d in documents.values() if d.get("kind") == "CronWorkflow"]
    return cron


def _dagster_ticks_are_argo_ticks(cron: dict[str, Any], dagster_cron: str, year: int) -> None:
    """Every tick Dagster's own iterator makes in `year` is one robfig fires for the CronWorkflow as written."""
    timezone = cron["spec"]["timezone"]
    zone = ZoneInfo(timezone)
    start = int(datetime(year, 1, 1, tzinfo=zone).timestamp())
    end = int(datetime(year + 1, 1, 1, tzinfo=zone).timestamp())
    argo = set(argo_ticks(argo_schedules(cron["spec"]["schedules"], timezone), start, end))
    dagster = set(dagster_ticks([dagster_cron], timezone, start, end))
    assert dagster - argo == set()


def test_partitioned_0230_in_vienna_compiles_with_entries_for_the_switch_days_and_a_gate() -> None:
    """Issue 26: no refusal. The CronWorkflow fires at every Dagster tick (03:00 on the spring-forward day) and its
    DAG starts with the schedule-gate, which skips the Argo ticks Dagster would not fire."""
    documents = compile_defs(_partitioned("Europe/Vienna", 2, 30))
    cron = _cron_workflow(documents)
    assert cron["spec"]["schedules"][0] == "30 2 * * *"
    annotations = cron["metadata"]["annotations"]
    assert json.loads(annotations["dagster.io/cron-schedule"]) == ["30 2 * * *"]
    assert annotations["dagster.io/tick-filter"] == "schedule-gate"
    for year in (2026, 2030):
        _dagster_ticks_are_argo_ticks(cron, "30 2 * * *", year)
    assert validate_manifest(cron) == []
    [template] = [d for d in documents.values() if d.get("kind") == "WorkflowTemplate"]
    [dag] = [t for t in template["spec"]["templates"] if t["name"] == cron["spec"]["workflowSpec"]["entrypoint"]]
    assert dag["dag"]["tasks"][0]["name"] == "schedule-gate"


def test_what_dagster_does_on_those_days_is_what_the_refusal_reports() -> None:
    """Dagster ticks once on each switch day (03:00 on the gap day); Argo none on the gap day, twice on the other."""
    spring, fall = _offset_change_days("Europe/Vienna", 2026)
    zone = ZoneInfo("Europe/Vienna")
    start = int(datetime(2026, 1, 1, tzinfo=zone).timestamp())
    end = int(datetime(2027, 1, 1, tzinfo=zone).timestamp())
    dagster = [datetime.fromtimestamp(t, zone) for t in dagster_ticks(["30 2 * * *"], "Europe/Vienna", start, end)]
    assert next(t for t in dagster if t.date() == spring).strftime("%H:%M") == "03:00"
    assert len([t for t in dagster if t.date() == fall]) == 1
    differences = tick_differences(["30 2 * * *"], "Europe/Vienna")
    days = {datetime.fromtimestamp(d.instant, zone).date() for d in differences}
    assert {spring, fall} <= days
    assert {d.year for d in days} == set(range(CHECK_YEARS[0], CHECK_YEARS[1] + 1))  # every year of the span


@pytest.mark.parametrize("timezone", ["America/Santiago", "Asia/Beirut"])
def test_midnight_schedule_where_dst_switches_at_midnight_compiles_exactly(timezone: str) -> None:
    days = [d for d in _offset_change_days(timezone, 2026) if _midnight_missing(timezone, d)]
    assert days, f"{timezone} no longer skips midnight in 2026 (tz database changed): pick another zone"

    @dg.asset
    def table() -> None: ...

    job = dg.define_asset_job("all_assets", selection=[table])
    defs = dg.Definitions(
        assets=[table],
        jobs=[job],
        schedules=[
            dg.ScheduleDefinition(name="midnight", job=job, cron_schedule="0 0 * * *", execution_timezone=timezone)
        ],
    )
    cron = _cron_workflow(compile_defs(defs))
    assert len(cron["spec"]["schedules"]) > 1  # "0 0 * * *" alone loses the day midnight does not exist
    _dagster_ticks_are_argo_ticks(cron, "0 0 * * *", 2026)
    assert cron["metadata"]["annotations"]["dagster.io/tick-filter"] == "schedule-gate"


def test_same_schedules_outside_the_switch_hours_compile() -> None:
    compile_defs(_partitioned("Europe/Vienna", 1, 0))
    compile_defs(_partitioned("Europe/Vienna", 4, 30))
    compile_defs(_partitioned("UTC", 2, 30))


def test_flagship_schedule_is_accepted() -> None:
    project = load_project("assets")
    [schedule] = project.schedules
    assert (schedule.crons, schedule.timezone) == (("0 1 * * *",), "Europe/Vienna")
    assert tick_differences(schedule.crons, schedule.timezone) == []


def test_hourly_schedule_matches_across_switches() -> None:
    """Hourly crons tick once per elapsed hour in both (Dagster too skips the missing hour, repeats the doubled)."""
    assert tick_differences(["0 * * * *"], "Europe/Vienna") == []
    assert tick_differences(["15 * * * *"], "America/New_York") == []


def test_build_cli_compiles_a_0230_schedule(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        "vienna_0230",
        """
        import dagster as dg

        partitions = dg.DailyPartitionsDefinition(start_date="2026-01-01", timezone="Europe/Vienna")

        @dg.asset(partitions_def=partitions)
        def daily() -> None: ...

        job = dg.define_asset_job("daily_job", selection=[daily], partitions_def=partitions)
        defs = dg.Definitions(
            assets=[daily], jobs=[job],
            schedules=[dg.build_schedule_from_partitioned_job(job, hour_of_day=2, minute_of_hour=30, name="nightly")],
        )
        """,
    )
    result = run_compiler("build", "--module", "vienna_0230", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [path] = (tmp_path / "argo_out").glob("*.cronworkflow.yaml")
    _dagster_ticks_are_argo_ticks(yaml.safe_load(path.read_text(encoding="utf-8")), "30 2 * * *", 2027)
    validated = run_compiler("validate", *map(str, sorted((tmp_path / "argo_out").glob("*.yaml"))), cwd=tmp_path)
    assert validated.returncode == 0, validated.stderr


def _cron(schedules: list[str], timezone: str, annotated: bool) -> dict[str, Any]:
    document = copy.deepcopy(yaml.safe_load(GOLDEN_CRON.read_text(encoding="utf-8")))
    document["spec"]["schedules"] = schedules
    document["spec"]["timezone"] = timezone
    if not annotated:
        del document["metadata"]["annotations"]["dagster.io/schedule"]
    return document


def test_validate_rejects_a_dagster_cron_workflow_whose_ticks_differ() -> None:
    problems = "\n".join(validate_manifest(_cron(["30 2 * * *"], "Europe/Vienna", annotated=True)))
    spring, fall = _offset_change_days("Europe/Vienna", 2026)
    assert "spec.schedules" in problems
    assert spring.isoformat() in problems
    assert fall.isoformat() in problems
    assert validate_manifest(_cron(["0 1 * * *"], "Europe/Vienna", annotated=True)) == []


def test_validate_warns_on_a_hand_written_cron_workflow(tmp_path: Path) -> None:
    path = tmp_path / "hand.yaml"
    path.write_text(yaml.safe_dump(_cron(["30 2 * * *"], "Europe/Vienna", annotated=False)), encoding="utf-8")
    result = run_compiler("validate", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    _, fall = _offset_change_days("Europe/Vienna", 2026)
    assert "warning:" in result.stderr
    assert fall.isoformat() in result.stderr


def test_project_from_definitions_alone_does_not_check_ticks() -> None:
    """The check belongs to build (it reads the rendered CronWorkflow), not to loading."""
    project = project_from_definitions("project", _partitioned("Europe/Vienna", 2, 30))
    assert project.schedules[0].crons == ("30 2 * * *",)


def test_a_difference_away_from_any_switch_is_mapped_too() -> None:
    """robfig keeps `*/1` as a star (day fields AND: Mondays only), Dagster reads it as a list (OR: every day): the
    CronWorkflow gets entries for the other days, so Argo fires on each day Dagster ticks."""

    @dg.asset
    def table() -> None: ...

    job = dg.define_asset_job("all_assets", selection=[table])
    schedule = dg.ScheduleDefinition(name="mondays", job=job, cron_schedule="0 0 */1 * 1")
    cron = _cron_workflow(compile_defs(dg.Definitions(assets=[table], jobs=[job], schedules=[schedule])))
    assert argo_ticks(argo_schedules(["0 0 */1 * 1"], "UTC"), 1767225600, 1767225600 + 8 * 86400) != dagster_ticks(
        ["0 0 */1 * 1"], "UTC", 1767225600, 1767225600 + 8 * 86400
    )  # 2026-01-01 + 8 days: the dialects differ
    _dagster_ticks_are_argo_ticks(cron, "0 0 */1 * 1", 2026)


def test_validate_needs_the_gate_annotation_to_accept_the_extra_ticks() -> None:
    cron = _cron_workflow(compile_defs(_partitioned("Europe/Vienna", 2, 30)))
    assert validate_manifest(cron) == []
    del cron["metadata"]["annotations"]["dagster.io/tick-filter"]  # nothing would skip robfig's extra ticks
    problems = "\n".join(validate_manifest(cron))
    assert "schedule nightly" in problems
    assert "dagster.io/tick-filter" in problems  # what is missing, and to regenerate


def test_replace_becomes_forbid_where_the_gate_skips_ticks() -> None:
    """A skipped tick must not stop a running run (Replace would); other CronWorkflows keep the setting."""
    filtered = _cron_workflow(
        compile_defs(_partitioned("Europe/Vienna", 2, 30), defaults={"concurrency_policy": "Replace"})
    )
    assert filtered["spec"]["concurrencyPolicy"] == "Forbid"
    plain = _cron_workflow(
        compile_defs(_partitioned("Europe/Vienna", 1, 0), defaults={"concurrency_policy": "Replace"})
    )
    assert plain["spec"]["concurrencyPolicy"] == "Replace"
