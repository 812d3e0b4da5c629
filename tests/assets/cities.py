"""Helpers for the several-cities tests: a local OpenAQ server for Vienna, Graz and Linz, and the rows each city's
day must have, computed from the synthetic data (not from the pipeline)."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date

from dagster import MultiPartitionKey

from assets.city import GRAZ, LINZ, VIENNA, City
from assets.openaq.window import day_window_utc
from devservices.openaq_server.app import OpenAQServer
from devservices.openaq_server.fixture import TEST_API_KEY
from devservices.openaq_server.serve import serve_openaq
from devservices.openaq_server.synthetic import cities_for

THREE_CITIES: tuple[City, ...] = (VIENNA, GRAZ, LINZ)


def partition_key(city: str, day: str) -> str:
    """Dagster's own string for the date × city key."""
    return str(MultiPartitionKey({"city": city, "date": day}))


@contextmanager
def cities_server(
    cities: Sequence[City] = THREE_CITIES, rate_limit: int = 10_000, rate_window_s: float = 60.0
) -> Iterator[OpenAQServer]:
    places = [(c.name, c.latitude, c.longitude, c.timezone) for c in cities]
    with serve_openaq(
        cities=cities_for(places), api_key=TEST_API_KEY, rate_limit=rate_limit, rate_window_s=rate_window_s
    ) as server:
        yield server


def expected_rows(server: OpenAQServer, city: City, day: str) -> int:
    """Sensor-hours of the city's local day on the (clean) synthetic server."""
    start, end = day_window_utc(date.fromisoformat(day), city.timezone)
    synthetic = server.synthetic_city(city.name)
    return sum(synthetic.count_hours(s, start, end) for s in synthetic.active_sensor_ids(start, city.radius_m))


def a_sensor_of(server: OpenAQServer, city: City, day: str) -> int:
    start, _ = day_window_utc(date.fromisoformat(day), city.timezone)
    return server.synthetic_city(city.name).active_sensor_ids(start, city.radius_m)[0]


def day_key(day: str, city: str | None = None) -> str:
    """The flagship's date × city key for `day` of `city` (default: the first configured city), in Dagster's own
    format: what a date meant before the city dimension."""
    from assets.city import CITY

    return partition_key(city or CITY.name, day)


def flagship_node(task: str, city: str | None = None, index: int = 0) -> str:
    """run-local's (and Argo's) name of a flagship step: inside the fan-out over the cities, `each-<first task>`
    with the item's index and static key, then the task."""
    from assets.city import CITY

    return f"each-openaq-raw-measurements({index}:{city or CITY.name}).{task}"
