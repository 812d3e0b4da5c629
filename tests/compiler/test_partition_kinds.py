"""Every time-window partitions kind compiles, and over a whole year the pods build exactly the partitions Dagster's
own schedule requests.

Argo's side: the ticks robfig fires for the rendered CronWorkflow's `schedules` and `timezone`, each turned into
the RFC 3339 `workflow.scheduledTime` Argo passes and resolved by the pod's code. Dagster's side: the ticks of
Dagster's own iterator, each evaluated by the schedule itself (`evaluate_tick`). The two key sequences must be
equal, DST days included; nothing is compared with a hand-written list.
"""

from collections.abc import Callable
from datetime import UTC, datetime

import dagster as dg
import pytest

from compiler.materialize.partition import parse_scheduled_time, resolve_partition_key
from compiler.validate.robfig import argo_schedules, argo_ticks
from compiler.validate.ticks import dagster_ticks
from tests.compiler.projects.two_partitionings import hourly_and_monthly
from tests.compiler.support import compile_defs

YEAR = (int(datetime(2026, 1, 1, tzinfo=UTC).timestamp()), int(datetime(2027, 1, 1, tzinfo=UTC).timestamp()))
NOW = datetime(2027, 6, 1, tzinfo=UTC)  # every key requested in 2026 exists by then
KEY = dg.AssetKey(["series"])


def _partitioned(partitions: dg.PartitionsDefinition, **schedule_options: int) -> tuple[dg.Definitions, str]:
    @dg.asset(name="series", partitions_def=partitions)
    def series() -> None:
        return None

    job = dg.define_asset_job("series_job", selection=[series], partitions_def=partitions)
    schedule = dg.build_schedule_from_partitioned_job(job, name="series_schedule", **schedule_options)  # type: ignore[arg-type]
    return dg.Definitions(assets=[series], jobs=[job], schedules=[schedule]), "series_schedule"


def _run_request_schedule() -> tuple[dg.Definitions, str]:
    """A `@schedule` function that picks its own partition: the hour that was running two hours before the tick."""
    hourly = dg.HourlyPartitionsDefinition(start_date="2025-01-01-00:00", timezone="Europe/Vienna")

    @dg.asset(name="series", partitions_def=hourly)
    def series() -> None:
        return None

    job = dg.define_asset_job("series_job", selection=[series], partitions_def=hourly)

    @dg.schedule(cron_schedule="15 */6 * * *", job=job, execution_timezone="Europe/Vienna", name="custom")
    def custom(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        started = context.scheduled_execution_time.timestamp() - 2 * 3600
        return dg.RunRequest(partition_key=hourly.get_partition_key_for_timestamp(started))

    return dg.Definitions(assets=[series], jobs=[job], schedules=[custom]), "custom"


KINDS: dict[str, Callable[[], tuple[dg.Definitions, str]]] = {
    "hourly_vienna": lambda: _partitioned(
        dg.HourlyPartitionsDefinition(start_date="2025-01-01-00:00", timezone="Europe/Vienna"), minute_of_hour=10
    ),
    "daily_offset_new_york": lambda: _partitioned(
        dg.DailyPartitionsDefinition(
            start_date="2025-01-01", hour_offset=6, minute_offset=30, timezone="America/New_York"
        ),
        hour_of_day=7,
    ),
    "weekly_vienna": lambda: _partitioned(
        dg.WeeklyPartitionsDefinition(start_date="2025-01-06", day_offset=1, timezone="Europe/Vienna"),
        hour_of_day=4,
    ),
    "monthly_utc": lambda: _partitioned(dg.MonthlyPartitionsDefinition(start_date="2025-01-01")),
    "monthly_sydney_day_3": lambda: _partitioned(
        dg.MonthlyPartitionsDefinition(start_date="2025-01-03", day_offset=3, timezone="Australia/Sydney"),
        hour_of_day=5,
    ),
    "custom_cron_business_days": lambda: _partitioned(
        dg.TimeWindowPartitionsDefinition(
            cron_schedule="0 9 * * 1-5", start="2025-01-06-09:00", fmt="%Y-%m-%d-%H:%M", timezone="Europe/Vienna"
        )
    ),
    "schedule_function_run_request": _run_request_schedule,
}


def _dagster_keys(defs: dg.Definitions, name: str, crons: list[str], timezone: str) -> list[str]:
    repository = defs.get_repository_def()
    schedule = repository.get_schedule_def(name)
    keys = []
    for instant in dagster_ticks(crons, timezone, *YEAR):
        at = datetime.fromtimestamp(instant, tz=UTC)
        with dg.build_schedule_context(scheduled_execution_time=at, repository_def=repository) as context:
            [request] = schedule.evaluate_tick(context).run_requests or []
        assert request.partition_key is not None
        keys.append(request.partition_key)
    return keys


def _argo_keys(defs: dg.Definitions, name: str, crons: list[str], timezone: str) -> list[str]:
    keys = []
    for instant in argo_ticks(argo_schedules(crons, timezone), *YEAR):
        scheduled = datetime.fromtimestamp(instant, tz=UTC).isoformat().replace("+00:00", "Z")  # as Argo writes it
        key = resolve_partition_key(defs, KEY, None, parse_scheduled_time(scheduled, NOW), NOW, name)
        assert key is not None
        keys.append(key)
    return keys


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_year_of_ticks_builds_the_partitions_dagsters_schedule_requests(kind: str) -> None:
    defs, name = KINDS[kind]()
    documents = compile_defs(defs)  # includes build's robfig-vs-Dagster tick check
    [cron_workflow] = [d for d in documents.values() if d["kind"] == "CronWorkflow"]
    crons, timezone = list(cron_workflow["spec"]["schedules"]), cron_workflow["spec"]["timezone"]
    assert cron_workflow["spec"]["workflowSpec"]["arguments"]["parameters"] == [{"name": "schedule", "value": name}]
    argo = _argo_keys(defs, name, crons, timezone)
    dagster = _dagster_keys(defs, name, crons, timezone)
    assert len(argo) >= 11  # monthly: the 1 January tick sits on the span boundary
    assert argo == dagster


def test_two_partitionings_in_one_project_each_pod_resolves_its_own_key() -> None:
    """Hourly readings and a monthly report with their own schedules: each CronWorkflow's pods pick what their
    schedule requests, and a manual submit without a schedule name falls back per asset to the asset's schedule."""
    readings, report = hourly_and_monthly(hourly_start="2025-01-01-00:00")
    jobs = {
        "readings": dg.define_asset_job("readings_job", selection=[readings]),
        "report": dg.define_asset_job("report_job", selection=[report]),
    }
    schedules = {
        "readings": dg.build_schedule_from_partitioned_job(jobs["readings"], name="a_readings", minute_of_hour=20),
        "report": dg.build_schedule_from_partitioned_job(jobs["report"], name="b_report", hour_of_day=4),
    }
    defs = dg.Definitions(assets=[readings, report], jobs=list(jobs.values()), schedules=list(schedules.values()))
    documents = compile_defs(defs)
    crons = {d["spec"]["workflowSpec"]["arguments"]["parameters"][0]["value"]: d["spec"] for d in documents.values()
             if d["kind"] == "CronWorkflow"}  # fmt: skip
    assert sorted(crons) == ["a_readings", "b_report"]
    repository = defs.get_repository_def()
    day = (int(datetime(2026, 10, 24, 22, tzinfo=UTC).timestamp()), int(datetime(2026, 11, 2, tzinfo=UTC).timestamp()))
    for asset, schedule in schedules.items():
        spec = crons[schedule.name]
        instants = argo_ticks(argo_schedules(spec["schedules"], spec["timezone"]), *day)
        assert instants, schedule.name
        for instant in instants:
            at = datetime.fromtimestamp(instant, tz=UTC)
            with dg.build_schedule_context(scheduled_execution_time=at, repository_def=repository) as context:
                [request] = repository.get_schedule_def(schedule.name).evaluate_tick(context).run_requests or []
            key = dg.AssetKey([asset])
            assert resolve_partition_key(defs, key, None, at, NOW, schedule.name) == request.partition_key
            assert resolve_partition_key(defs, key, None, at, NOW) == request.partition_key  # no name: its own
