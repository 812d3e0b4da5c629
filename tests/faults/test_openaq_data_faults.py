"""What the API may send that is odd but legal, at the pipeline level: nothing is lost silently. Null names,
lagging `datetimeLast`, units spelled another way and NaN literals keep or count their data; a day with a fraction
of its hours is not published, a day missing a few is published with a warning (DST-aware)."""

import io
import json
from typing import Any

import pyarrow.parquet as pq
import pytest
from dagster import AssetCheckEvaluation, DagsterEventType

from assets.resources.object_store import ObjectStore
from devservices.openaq_server.app import OpenAQServer
from devservices.openaq_server.faults import Fault
from tests.faults.pipeline import RunOutcome, failed_steps, failure_message, published, run_pipeline

NORTH_EAST = 900102  # sensors 9001021 (no2), 9001022 (pm10), 9001023 (pm25), all µg/m³
NORTH_EAST_SENSORS = {9001021, 9001022, 9001023}


@pytest.fixture
def pipeline_env(s3_env: dict[str, str], openaq_env: OpenAQServer) -> OpenAQServer:
    return openaq_env


def metadata(outcome: RunOutcome, asset: str) -> dict[str, Any]:
    """The materialization metadata of `asset` (e.g. 'clean_measurements') as plain values."""
    for event in outcome.events:
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.event_specific_data.materialization  # type: ignore[union-attr]
            if materialization.asset_key.path[-1] == asset:
                return {key: value.value for key, value in materialization.metadata.items()}
    raise AssertionError(f"no materialization of {asset}")


def check(outcome: RunOutcome, name: str) -> AssetCheckEvaluation:
    for event in outcome.events:
        data = event.event_specific_data
        if isinstance(data, AssetCheckEvaluation) and data.check_name == name:
            return data
    raise AssertionError(f"no evaluation of {name}")


def rows_per_sensor(partition: str) -> dict[int, int]:
    data = published(partition)
    assert data is not None
    table = pq.read_table(io.BytesIO(data))
    counts = table.group_by("sensor_id").aggregate([("value", "count")]).to_pylist()
    return {row["sensor_id"]: row["value_count"] for row in counts}


def test_a_station_with_a_null_name_keeps_its_data(pipeline_env: OpenAQServer) -> None:
    fault = pipeline_env.faults.add(Fault("null_location_name", location_id=NORTH_EAST, times=None))
    outcome = run_pipeline("2026-11-20")
    assert outcome.success, failure_message(outcome)
    assert fault.rows_altered >= 1
    table = pq.read_table(io.BytesIO(published("2026-11-20") or b"")).to_pylist()
    names = {row["location_name"] for row in table if row["sensor_id"] in NORTH_EAST_SENSORS}
    assert names == {""}
    assert metadata(outcome, "clean_measurements")["rows_without_location_name"] == 3 * 24


def test_a_lagging_datetime_last_does_not_skip_the_stations_hours(pipeline_env: OpenAQServer) -> None:
    pipeline_env.faults.add(
        Fault("stale_datetime_last", location_id=NORTH_EAST, body="2026-11-16T05:00:00+00:00", times=None)
    )
    outcome = run_pipeline("2026-11-20")
    assert outcome.success, failure_message(outcome)
    counts = rows_per_sensor("2026-11-20")
    assert {counts.get(sensor) for sensor in NORTH_EAST_SENSORS} == {24}  # /hours had them: they are published
    # 2 stations that really stopped (retired, never reported) plus the lagging one
    assert metadata(outcome, "raw_measurements")["locations_datetime_last_before_day"] == 3


def test_units_spelled_another_way_are_the_same_unit(pipeline_env: OpenAQServer) -> None:
    pipeline_env.faults.add(Fault("sensor_units_spelling", location_id=NORTH_EAST, units="ug/m3", times=None))
    for sensor in NORTH_EAST_SENSORS:
        pipeline_env.faults.add(
            Fault("units_spelling", path=f"/v3/sensors/{sensor}/hours", units="ug/m3", rows=1000, times=None)
        )
    outcome = run_pipeline("2026-11-20")
    assert outcome.success, failure_message(outcome)
    assert {rows_per_sensor("2026-11-20").get(sensor) for sensor in NORTH_EAST_SENSORS} == {24}
    table = pq.read_table(io.BytesIO(published("2026-11-20") or b"")).to_pylist()
    assert {row["units"] for row in table if row["sensor_id"] in NORTH_EAST_SENSORS} == {"µg/m³"}
    raw = metadata(outcome, "raw_measurements")
    assert raw["sensors_skipped_other_parameter"] == 0  # 'ug/m3' sensors are no longer "another parameter"
    assert metadata(outcome, "clean_measurements")["dropped_other_parameter"] == 0


def test_nan_and_infinity_literals_are_dropped_and_counted_and_stored_json_stays_valid(
    pipeline_env: OpenAQServer,
) -> None:
    pipeline_env.faults.add(Fault("non_finite", path="/v3/sensors/9001011/hours", rows=2, body="NaN"))
    pipeline_env.faults.add(Fault("non_finite", path="/v3/sensors/9001012/hours", rows=1, body="Infinity"))
    outcome = run_pipeline("2026-11-20")
    assert outcome.success, failure_message(outcome)
    assert metadata(outcome, "raw_measurements")["rows_non_finite"] == 3
    assert metadata(outcome, "clean_measurements")["dropped_non_finite_value"] == 3
    stored = ObjectStore.from_env().get_bytes("dagster/openaq/raw_measurements/city=vienna/date=2026-11-20.json")
    json.loads(stored, parse_constant=lambda literal: pytest.fail(f"stored JSON holds {literal}"))
    counts = rows_per_sensor("2026-11-20")
    assert (counts[9001011], counts[9001012]) == (22, 23)


def test_a_day_with_one_hour_of_data_is_not_published(pipeline_env: OpenAQServer) -> None:
    pipeline_env.faults.add(Fault("missing_hours", path="/v3/sensors/*/hours", rows=1, times=None))
    outcome = run_pipeline("2026-11-21")
    assert not outcome.success
    assert "blocking asset check failed" in failure_message(outcome)
    evaluation = check(outcome, "day_complete_enough")
    assert not evaluation.passed
    assert evaluation.blocking
    # 15 sensors report (3 of the 18 asked are retired or never reported): 15 of 15 x 24 sensor-hours
    assert "only 15 of 360 sensor-hours present (4%" in (evaluation.description or "")
    assert failed_steps(outcome) == {"openaq__clean_measurements"}
    assert published("2026-11-21") is None


@pytest.mark.parametrize(("partition", "hours"), [("2026-11-21", 24), ("2026-10-25", 25), ("2026-03-29", 23)])
def test_a_day_missing_a_few_hours_is_published_with_a_warning_counted_against_its_real_length(
    pipeline_env: OpenAQServer, partition: str, hours: int
) -> None:
    pipeline_env.faults.add(Fault("missing_hours", path="/v3/sensors/9001011/hours", rows=hours - 3, times=None))
    outcome = run_pipeline(partition)
    assert outcome.success, failure_message(outcome)
    assert check(outcome, "day_complete_enough").passed
    warning = check(outcome, "every_sensor_hour_present")
    assert not warning.passed
    assert not warning.blocking
    assert f"1 of 15 sensor(s) miss hours of the {hours}-hour day: sensor 9001011 has {hours - 3}" in (
        warning.description or ""
    )
    assert rows_per_sensor(partition)[9001011] == hours - 3
