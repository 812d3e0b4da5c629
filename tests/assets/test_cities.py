"""Several cities in one code location: Dagster's own schedule asks for every city's day, each city publishes its
own object, and a city whose OpenAQ requests fail permanently fails alone (real SeaweedFS, real HTTP)."""

import io
from collections.abc import Iterator
from datetime import UTC, datetime

import pyarrow.parquet as pq
import pytest
from dagster import DagsterInstance, DailyPartitionsDefinition, MultiPartitionsDefinition, build_schedule_context

from assets.city import GRAZ, LINZ, VIENNA, City
from assets.definitions import build_defs
from assets.measurements_parquet import object_key
from assets.resources.object_store import ObjectStore
from devservices.openaq_server.app import OpenAQServer
from devservices.openaq_server.faults import Fault
from tests.assets.cities import THREE_CITIES, a_sensor_of, cities_server, expected_rows, partition_key

TICK = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)  # 01:00 in Vienna
DAY = "2026-11-27"
DEFS = build_defs(THREE_CITIES)


@pytest.fixture
def cities_env(s3_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAQServer]:
    with cities_server() as server:
        monkeypatch.setenv("OPENAQ_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAQ_API_KEY", server.api_key)
        yield server


def scheduled_partitions() -> list[str]:
    """The partition keys Dagster's own schedule requests for the tick."""
    schedule = DEFS.get_repository_def().get_schedule_def("air_quality_nightly")
    with DagsterInstance.ephemeral() as instance:
        context = build_schedule_context(
            instance=instance, scheduled_execution_time=TICK, repository_def=DEFS.get_repository_def()
        )
        requests = schedule.evaluate_tick(context).run_requests or []
    return [request.partition_key for request in requests if request.partition_key is not None]


def run_tick() -> dict[str, bool]:
    """Every run the tick requests, as the scheduler would launch them (one run per key); success per key."""
    job = DEFS.resolve_job_def("air_quality_daily")
    outcome = {}
    for key in scheduled_partitions():
        result = job.execute_in_process(partition_key=key, instance=DagsterInstance.ephemeral(), raise_on_error=False)
        outcome[key] = result.success
    return outcome


def published_rows(city: City) -> int:
    data = ObjectStore.from_env().get_bytes(object_key(city.name, DAY))
    return pq.read_table(io.BytesIO(data)).num_rows


def test_one_zone_shares_one_date_by_city_partitioning() -> None:
    graph = DEFS.get_repository_def().asset_graph
    partitions = {graph.get(key).partitions_def for key in graph.get_all_asset_keys()}
    assert len(partitions) == 1
    (grid,) = partitions
    assert isinstance(grid, MultiPartitionsDefinition)
    assert {d.name for d in grid.partitions_defs} == {"date", "city"}
    assert grid.get_partitions_def_for_dimension("city").get_partition_keys() == ["vienna", "graz", "linz"]
    date_dimension = grid.get_partitions_def_for_dimension("date")
    assert isinstance(date_dimension, DailyPartitionsDefinition)
    assert date_dimension.timezone == "Europe/Vienna"


def test_a_city_in_another_zone_gets_its_own_partitioning_and_local_schedule() -> None:
    lisbon = City(name="lisbon", latitude=38.7223, longitude=-9.1393, radius_m=20_000, timezone="Europe/Lisbon")
    repository = build_defs((VIENNA, lisbon, GRAZ)).get_repository_def()
    schedules = {s.name: (s.cron_schedule, s.execution_timezone) for s in repository.schedule_defs}
    assert schedules == {
        "air_quality_nightly": ("0 1 * * *", "Europe/Vienna"),
        "air_quality_nightly_europe_lisbon": ("0 1 * * *", "Europe/Lisbon"),
    }
    graph = repository.asset_graph
    keys = {k.to_user_string(): graph.get(k).partitions_def for k in graph.get_all_asset_keys()}
    lisbon_grid = keys["openaq/europe_lisbon/raw_measurements"]
    assert isinstance(lisbon_grid, MultiPartitionsDefinition)
    assert lisbon_grid.get_partitions_def_for_dimension("city").get_partition_keys() == ["lisbon"]
    lisbon_days = lisbon_grid.get_partitions_def_for_dimension("date")
    assert isinstance(lisbon_days, DailyPartitionsDefinition)
    assert lisbon_days.timezone == "Europe/Lisbon"
    vienna_grid = keys["openaq/raw_measurements"]
    assert isinstance(vienna_grid, MultiPartitionsDefinition)
    assert vienna_grid.get_partitions_def_for_dimension("city").get_partition_keys() == ["vienna", "graz"]


def test_a_tick_publishes_every_citys_object_with_its_rows(cities_env: OpenAQServer) -> None:
    assert scheduled_partitions() == [partition_key(c.name, DAY) for c in THREE_CITIES]
    assert run_tick() == {partition_key(c.name, DAY): True for c in THREE_CITIES}
    for city in THREE_CITIES:
        rows = expected_rows(cities_env, city, DAY)
        assert rows > 0
        assert published_rows(city) == rows
    assert cities_env.counters.rate_limited == 0


def test_a_city_whose_requests_fail_permanently_fails_alone(cities_env: OpenAQServer) -> None:
    broken = a_sensor_of(cities_env, GRAZ, DAY)
    fault = cities_env.faults.add(
        Fault(kind="status", status=422, path=f"/v3/sensors/{broken}/hours", sensor_id=broken, times=None)
    )
    outcome = run_tick()
    assert outcome == {
        partition_key("vienna", DAY): True,
        partition_key("graz", DAY): False,
        partition_key("linz", DAY): True,
    }
    assert fault.hits == 1  # a rejected request is never retried, not even by the asset's RetryPolicy
    assert not ObjectStore.from_env().exists(object_key("graz", DAY))
    for city in (VIENNA, LINZ):
        assert published_rows(city) == expected_rows(cities_env, city, DAY)
