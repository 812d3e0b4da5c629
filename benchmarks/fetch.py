"""Fetch benchmark: N sensors from the local OpenAQ server under a scaled-down rate limit L per W, against the least
time the limit allows when the first window's L go at once: (ceil(N / L) - 1) · W."""

import time
from datetime import UTC, datetime, timedelta

from assets.openaq.budget import RateBudget, floor_seconds
from assets.openaq.client import OpenAQClient
from benchmarks.measure import Samples
from benchmarks.report import Row
from benchmarks.targets import FETCH_FLOOR, FETCH_THROTTLED
from devservices.openaq_server.serve import serve_openaq
from devservices.openaq_server.synthetic import SyntheticCity

DAY_START = datetime(2026, 11, 26, 23, tzinfo=UTC)


def _one_run(sensors: int, limit: int, window_s: float) -> tuple[float, int, int]:
    """(wall seconds, requests the server saw, 429 answers) for one city-day of `sensors` sensors."""
    city = SyntheticCity(extra_locations=sensors)
    ids = sorted(sensor.id for location in city.locations for sensor in location.sensors)[:sensors]
    with serve_openaq(city=city, api_key="bench-key", rate_limit=limit, rate_window_s=window_s) as server:
        client = OpenAQClient("bench-key", server.base_url, max_workers=4)
        started = time.perf_counter()
        hours = client.sensors_hours(ids, DAY_START, DAY_START + timedelta(hours=24))
        seconds = time.perf_counter() - started
        client.close()
        if len(hours) != sensors:
            raise RuntimeError(f"fetched {len(hours)} sensors, expected {sensors}")
        return seconds, server.counters.requests, server.counters.rate_limited


def fetch(sensors: int, limit: int, window_s: float, runs: int) -> list[Row]:
    floor = floor_seconds(sensors, RateBudget(limit, window_s))
    results = [_one_run(sensors, limit, window_s) for _ in range(runs)]
    seconds = Samples(tuple(r[0] for r in results))
    ratio = Samples(tuple(r[0] / floor for r in results))
    throttled = Samples(tuple(float(r[2]) for r in results))
    setting = f"{sensors} sensors, {limit} requests / {window_s:g} s"
    return [
        Row("fetch", f"{setting}: floor (ceil(N/L)-1)·W", Samples((floor,) * runs), "s"),
        Row("fetch", f"{setting}: wall time", seconds, "s"),
        Row("fetch", "wall time / floor", ratio, "x", target=FETCH_FLOOR),
        Row("fetch", "HTTP 429 answers", throttled, "count", target=FETCH_THROTTLED),
        Row("fetch", "requests the server saw", Samples(tuple(float(r[1]) for r in results)), "count"),
    ]
