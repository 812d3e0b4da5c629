"""Partition resolution: expected keys are worked out by hand from Vienna local time, not from the code."""

from datetime import UTC, datetime

import pytest
from dagster import AssetKey, Definitions

from compiler.materialize.loading import MaterializeUsageError
from compiler.materialize.partition import parse_scheduled_time, resolve_partition_key
from tests.compiler.materialize.projects import pod_fixture_project as project

RAW = AssetKey(["fixture", "raw"])
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def tick(text: str) -> str | None:
    return resolve_partition_key(project.defs, RAW, None, parse_scheduled_time(text, NOW), NOW)


@pytest.mark.parametrize(
    ("scheduled_time", "expected"),
    [
        # The 01:00 Vienna tick materializes the day that just ended.
        ("2026-11-28T01:00:00+01:00", "2026-11-27"),
        ("2026-11-28T00:00:00Z", "2026-11-27"),  # the same instant as Argo writes it (RFC 3339, UTC)
        ("2026-11-28T00:59:00+01:00", "2026-11-27"),  # before the tick hour, the 27th is still the last day
        # Local midnight is the boundary, not UTC midnight: both instants below fall on 2026-11-27 in UTC.
        ("2026-11-27T23:00:00Z", "2026-11-27"),  # 00:00 on the 28th in Vienna
        ("2026-11-27T22:59:59Z", "2026-11-26"),  # 23:59:59 on the 27th in Vienna
    ],
)
def test_tick_in_vienna_picks_the_previous_local_day(scheduled_time, expected):
    assert tick(scheduled_time) == expected


@pytest.mark.parametrize(
    ("scheduled_time", "expected"),
    [
        # 2026-03-29 is 23 hours long in Vienna (02:00 → 03:00).
        ("2026-03-29T01:00:00+01:00", "2026-03-28"),
        ("2026-03-30T01:00:00+02:00", "2026-03-29"),
        ("2026-03-29T22:30:00Z", "2026-03-29"),  # 00:30 CEST on the 30th: the short day is complete
        ("2026-03-29T21:30:00Z", "2026-03-28"),  # 23:30 CEST on the 29th: not yet
        # 2026-10-25 is 25 hours long (03:00 → 02:00).
        ("2026-10-25T01:00:00+02:00", "2026-10-24"),
        ("2026-10-26T01:00:00+01:00", "2026-10-25"),
        ("2026-10-25T23:30:00Z", "2026-10-25"),  # 00:30 CET on the 26th
        ("2026-10-25T22:30:00Z", "2026-10-24"),  # 23:30 CET on the 25th: the long day is still running
    ],
)
def test_dst_days(scheduled_time, expected):
    assert tick(scheduled_time) == expected


def test_explicit_partition_overrides_the_tick():
    scheduled = parse_scheduled_time("2026-11-28T00:00:00Z", NOW)
    assert resolve_partition_key(project.defs, RAW, "2025-06-15", scheduled, NOW) == "2025-06-15"


def test_empty_explicit_partition_means_from_the_tick():
    scheduled = parse_scheduled_time("2026-11-28T00:00:00Z", NOW)
    assert resolve_partition_key(project.defs, RAW, "", scheduled, NOW) == "2026-11-27"
    assert resolve_partition_key(project.defs, RAW, "  ", scheduled, NOW) == "2026-11-27"


@pytest.mark.parametrize("key", ["2023-12-31", "2026-11-28", "yesterday"])
def test_partition_outside_the_definition_is_refused(key):
    # Before start_date, today's still-open day (end_offset=0), and not a date at all.
    with pytest.raises(MaterializeUsageError, match=f"partition '{key}' does not exist for asset 'fixture/raw'"):
        resolve_partition_key(project.defs, RAW, key, NOW, NOW)


@pytest.mark.parametrize("raw", [None, "", "   ", "{{workflow.scheduledTime}}"])
def test_absent_empty_or_placeholder_time_means_now(raw):
    assert parse_scheduled_time(raw, NOW) is NOW


def test_placeholder_tick_resolves_like_now():
    # NOW is 2026-11-28 13:00 in Vienna: the last complete day is the 27th.
    assert tick("{{workflow.scheduledTime}}") == "2026-11-27"


def test_rfc3339_with_z_and_offsets_parse_to_the_same_instant():
    expected = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    assert parse_scheduled_time("2026-11-28T00:00:00Z", NOW) == expected
    assert parse_scheduled_time("2026-11-28T01:00:00+01:00", NOW) == expected


@pytest.mark.parametrize("bad", ["2026-11-28T00:00:00", "28.11.2026", "tomorrow"])
def test_time_without_offset_or_unparseable_is_refused(bad):
    with pytest.raises(MaterializeUsageError, match="--scheduled-time"):
        parse_scheduled_time(bad, NOW)


def test_unpartitioned_asset_ignores_partition_and_time():
    flaky = AssetKey(["fixture", "flaky"])
    assert resolve_partition_key(project.defs, flaky, "2026-01-01", NOW, NOW) is None
    assert resolve_partition_key(project.defs, flaky, None, NOW, NOW) is None


def test_without_a_schedule_the_last_partition_at_the_tick_is_used():
    unscheduled = Definitions(assets=[project.raw])
    at = datetime.fromisoformat("2026-11-27T23:30:00Z")  # 00:30 on the 28th in Vienna
    assert resolve_partition_key(unscheduled, RAW, None, at, NOW) == "2026-11-27"


# A manual submit without a tick: the workflow was created at 00:30 on the 28th in Vienna (23:30Z on the 27th).
CREATED = "2026-11-27T23:30:00Z"


@pytest.mark.parametrize("scheduled", [None, "", "  ", "{{workflow.scheduledTime}}"])
def test_without_a_tick_the_creation_time_decides_not_each_pods_clock(scheduled):
    # Pods starting before and after the next local midnight (12:00Z on the 28th = 13:00 Vienna is "now" for one,
    # 23:30Z on the 28th = 00:30 on the 29th for another) must still agree: the 27th, the day before creation.
    late = datetime(2026, 11, 28, 23, 30, tzinfo=UTC)
    for now in (NOW, late):
        at = parse_scheduled_time(scheduled, now, CREATED)
        assert at == datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
        assert resolve_partition_key(project.defs, RAW, None, at, now) == "2026-11-27"


def test_a_real_tick_wins_over_the_creation_time():
    at = parse_scheduled_time("2026-11-29T00:00:00Z", NOW, CREATED)
    assert at == datetime(2026, 11, 29, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("created", [None, "", " ", "{{workflow.creationTimestamp}}"])
def test_without_tick_or_creation_time_it_is_now(created):
    assert parse_scheduled_time("{{workflow.scheduledTime}}", NOW, created) is NOW


@pytest.mark.parametrize("bad", ["2026-11-27T23:30:00", "yesterday"])
def test_bad_creation_time_is_refused_naming_the_option(bad):
    with pytest.raises(MaterializeUsageError, match="--created-time"):
        parse_scheduled_time("", NOW, bad)


def _two_schedules() -> Definitions:
    """Two schedules over the same partitioned job that pick different days for the same 01:00 tick."""
    from dagster import RunRequest, ScheduleEvaluationContext, build_schedule_from_partitioned_job, schedule

    nightly = build_schedule_from_partitioned_job(project.daily_job, hour_of_day=1, name="a_nightly")

    @schedule(cron_schedule="0 1 * * *", job=project.daily_job, execution_timezone="Europe/Vienna", name="b_replay")
    def b_replay(context: ScheduleEvaluationContext) -> RunRequest:
        return RunRequest(partition_key="2026-11-20")

    return Definitions(assets=[project.raw, project.clean], jobs=[project.daily_job], schedules=[nightly, b_replay])


def test_the_schedule_that_fired_decides_not_the_first_by_name() -> None:
    defs = _two_schedules()
    at = parse_scheduled_time("2026-11-28T01:00:00+01:00", NOW)
    assert resolve_partition_key(defs, RAW, None, at, NOW) == "2026-11-27"  # no name: a_nightly, first by name
    assert resolve_partition_key(defs, RAW, None, at, NOW, "a_nightly") == "2026-11-27"
    assert resolve_partition_key(defs, RAW, None, at, NOW, "b_replay") == "2026-11-20"
    assert resolve_partition_key(defs, RAW, None, at, NOW, "") == "2026-11-27"  # a manual submit leaves it empty


def test_an_unknown_schedule_name_is_a_usage_error_listing_the_known_ones() -> None:
    at = parse_scheduled_time("2026-11-28T01:00:00+01:00", NOW)
    with pytest.raises(
        MaterializeUsageError, match=r"no schedule named 'c_missing'; known schedules: a_nightly, b_replay"
    ):
        resolve_partition_key(_two_schedules(), RAW, None, at, NOW, "c_missing")


# `argo cron backfill` passes each date as Go's time.Time.String() (not in its --format): see
# cmd/argo/commands/cron/backfill.go, `scheTime.String()`. Its workflows' scheduledTime is the submit time.
SUBMITTED = "2026-11-28T10:00:00Z"


@pytest.mark.parametrize(
    ("backfill", "expected"),
    [
        ("2026-10-25 01:00:00 +0000 UTC", datetime(2026, 10, 25, 1, 0, tzinfo=UTC)),
        ("2026-10-25 01:00:00.5 +0200 CEST", datetime(2026, 10, 24, 23, 0, 0, 500000, tzinfo=UTC)),
        ("2026-10-25 01:00:00 +0100 +0100", datetime(2026, 10, 25, 0, 0, tzinfo=UTC)),  # a numeric-offset zone
        ("2026-10-25T01:00:00Z", datetime(2026, 10, 25, 1, 0, tzinfo=UTC)),
    ],
)
def test_a_backfill_date_wins_over_the_submit_time_argo_passes_as_scheduled_time(backfill, expected):
    assert parse_scheduled_time(SUBMITTED, NOW, CREATED, backfill) == expected


@pytest.mark.parametrize("backfill", [None, "", "{{workflow.parameters.cronScheduleTime}}"])
def test_without_a_backfill_date_the_tick_decides(backfill):
    assert parse_scheduled_time(SUBMITTED, NOW, CREATED, backfill) == datetime(2026, 11, 28, 10, tzinfo=UTC)


def test_backfill_dates_pick_the_partition_their_tick_would_and_an_explicit_partition_wins():
    # The 01:00 Vienna ticks on 25th..28th October, as `argo cron backfill` passes them in UTC: D-1 each time,
    # across the night the clocks go back (2026-10-25).
    ticks = ["2026-10-24 23:00:00 +0000 UTC", "2026-10-26 00:00:00 +0000 UTC", "2026-10-27 00:00:00 +0000 UTC"]
    picked = [
        resolve_partition_key(project.defs, RAW, None, parse_scheduled_time(SUBMITTED, NOW, CREATED, t), NOW)
        for t in ticks
    ]
    assert picked == ["2026-10-24", "2026-10-25", "2026-10-26"]
    at = parse_scheduled_time(SUBMITTED, NOW, CREATED, ticks[0])
    assert resolve_partition_key(project.defs, RAW, "2026-10-01", at, NOW) == "2026-10-01"


def test_a_malformed_backfill_date_is_a_usage_error():
    with pytest.raises(MaterializeUsageError, match="--backfill-time"):
        parse_scheduled_time(SUBMITTED, NOW, CREATED, "Sun, 25 Oct 2026 01:00:00 UTC")
