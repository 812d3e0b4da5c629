"""The three assets end to end: real HTTP to the local OpenAQ server, real SeaweedFS, parquet read back."""

import hashlib
import io
from datetime import date

import pyarrow.parquet as pq
import pytest
from dagster import DagsterInstance, ExecuteInProcessResult, materialize

from assets import defs
from assets.city import CITY
from assets.measurement_schema import MEASUREMENT_SCHEMA
from assets.measurements_parquet import object_key
from assets.openaq.window import day_window_utc
from assets.resources.object_store import ObjectStore
from devservices.openaq_server.app import OpenAQServer
from devservices.openaq_server.faults import Fault
from devservices.openaq_server.synthetic import three_significant, utc_iso
from tests.assets.cities import day_key

PIPELINE = [
    defs.get_assets_def(["openaq", "raw_measurements"]),
    defs.get_assets_def(["openaq", "clean_measurements"]),
    defs.get_assets_def(["openaq", "measurements_parquet"]),
]


@pytest.fixture
def pipeline_env(s3_env: dict[str, str], openaq_env: OpenAQServer) -> OpenAQServer:
    return openaq_env


def run(partition: str) -> ExecuteInProcessResult:
    resources = defs.resources or {}
    return materialize(
        PIPELINE,
        partition_key=day_key(partition),
        resources=resources,
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def failed_checks(result: ExecuteInProcessResult) -> dict[str, str]:
    return {e.check_name: e.description or "" for e in result.get_asset_check_evaluations() if not e.passed}


def published(partition: str) -> bytes:
    return ObjectStore.from_env().get_bytes(object_key(CITY.name, partition))


def expected_rows(server: OpenAQServer, partition: str) -> dict[int, int]:
    """Hours per active sensor in the window, straight from the synthetic data (not from the pipeline)."""
    start, end = day_window_utc(date.fromisoformat(partition), CITY.timezone)
    return {
        sensor: server.city.expected_hours(sensor, start, end)
        for sensor in server.city.active_sensor_ids(start, CITY.radius_m)
    }


def test_a_partition_is_published_with_every_sensor_hour(pipeline_env: OpenAQServer) -> None:
    sensor = 9001021  # "North-East", first sensor: no2
    corrupt = pipeline_env.faults.add(Fault(kind="null_values", path="/v3/sensors/*/hours", sensor_id=sensor, rows=2))
    assert run("2026-11-27").success

    table = pq.read_table(io.BytesIO(published("2026-11-27")))
    assert table.schema.equals(MEASUREMENT_SCHEMA, check_metadata=False)
    expected = expected_rows(pipeline_env, "2026-11-27")
    assert set(expected.values()) == {24}  # an ordinary day: 24 hours for every active sensor
    assert corrupt.rows_altered == 2
    assert table.num_rows == sum(expected.values()) - 2

    rows = table.to_pylist()
    location, _ = pipeline_env.city.sensor(sensor) or (None, None)
    assert location is not None
    first = next(row for row in rows if row["sensor_id"] == sensor)
    assert first["location_name"] == location.name
    assert (first["latitude"], first["longitude"]) == (location.latitude, location.longitude)
    # 2026-11-27 00:00 Vienna is 2026-11-26 23:00 UTC: the first hour ends at 00:00 UTC, unless nulled by the fault.
    other = next(row for row in rows if row["sensor_id"] == 9001011)
    assert utc_iso(other["period_end"]) == "2026-11-27T00:00:00Z"
    assert utc_iso(other["period_start"]) == "2026-11-26T23:00:00Z"
    assert other["value"] == three_significant(pipeline_env.city.value(9001011, other["period_end"]))


@pytest.mark.parametrize(("partition", "hours"), [("2026-03-29", 23), ("2026-10-25", 25)])
def test_dst_days_have_23_and_25_hours_per_sensor(pipeline_env: OpenAQServer, partition: str, hours: int) -> None:
    assert run(partition).success
    table = pq.read_table(io.BytesIO(published(partition)))
    per_sensor = table.group_by("sensor_id").aggregate([("value", "count")]).column("value_count").to_pylist()
    assert set(per_sensor) == {hours}
    assert len(per_sensor) == len(expected_rows(pipeline_env, partition))


def test_a_rerun_publishes_the_same_bytes(pipeline_env: OpenAQServer) -> None:
    assert run("2026-11-20").success
    first = hashlib.sha256(published("2026-11-20")).hexdigest()
    assert run("2026-11-20").success
    assert hashlib.sha256(published("2026-11-20")).hexdigest() == first


def _page_with_value(server: OpenAQServer, sensor: int, partition: str, value: float) -> dict:
    start, end = day_window_utc(date.fromisoformat(partition), CITY.timezone)
    rows = server.city.hour_rows(sensor, start, end, 0, 1000)
    rows[5]["value"] = value
    return {
        "meta": {"name": "openaq-api", "website": "/", "page": 1, "limit": 1000, "found": len(rows)},
        "results": rows,
    }


def test_out_of_range_values_fail_the_check_and_keep_the_previous_object(pipeline_env: OpenAQServer) -> None:
    assert run("2026-11-21").success
    before = published("2026-11-21")
    sensor = 9001021  # no2 in µg/m³: 5000 is far above any real hourly mean
    body = _page_with_value(pipeline_env, sensor, "2026-11-21", 5000.0)
    pipeline_env.faults.add(
        Fault(kind="status", status=200, body=body, path=f"/v3/sensors/{sensor}/hours", sensor_id=sensor, times=None)
    )
    result = run("2026-11-21")
    assert not result.success
    assert failed_checks(result) == {
        "values_in_physical_range": "1 no2 value(s) outside 0..2000 µg/m³, e.g. 5000 from sensor 9001021 at "
        "2026-11-21T05:00:00+00:00"
    }
    assert published("2026-11-21") == before

    # The rejected clean table is stored for inspection; publishing it alone is refused as well.
    alone = materialize(
        PIPELINE,
        selection=[PIPELINE[2].key],
        partition_key=day_key("2026-11-21"),
        resources=defs.resources or {},
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert not alone.success
    failure = next(event for event in alone.all_events if event.is_step_failure)
    assert "not publishing vienna 2026-11-21: the clean measurements fail values_in_physical_range" in str(
        failure.step_failure_data.error
    )
    assert published("2026-11-21") == before


def test_an_empty_day_fails_the_check_and_publishes_nothing(pipeline_env: OpenAQServer) -> None:
    empty = {"meta": {"name": "openaq-api", "website": "/", "page": 1, "limit": 1000, "found": 0}, "results": []}
    pipeline_env.faults.add(Fault(kind="status", status=200, body=empty, path="/v3/locations", times=None))
    result = run("2026-11-22")
    assert not result.success
    assert failed_checks(result) == {
        "at_least_one_row": "no measurements for vienna on 2026-11-22; check the city settings and OpenAQ"
    }
    assert not ObjectStore.from_env().exists(object_key(CITY.name, "2026-11-22"))


def test_a_rejected_key_is_not_retried_by_the_raw_assets_retry_policy(
    pipeline_env: OpenAQServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAQ_API_KEY", "a-key-the-server-does-not-know")
    result = run("2026-11-23")  # materialize() honours RetryPolicy(max_retries=2): a retry would ask again
    assert not result.success
    assert pipeline_env.counters.requests == 1  # the first /v3/locations answered 401; nothing asked twice
    failure = next(event for event in result.all_events if event.is_step_failure)
    assert "401" in str(failure.step_failure_data.error)
    assert "a-key-the-server-does-not-know" not in str(result.all_events)
