"""Fetch benchmark, three cities at once: three processes (as the Argo fan-out's pods, `FAN_OUT_PARALLELISM=3`)
fetch one city-day each from the local OpenAQ server, which holds their one key to a scaled-down limit L per W.

The floor is the time the key's budget mathematically requires for the requests the server saw, R, when the
first window's L go at once: (ceil(R / L) - 1) · W. Each pod keeps to L / 3 per slightly lengthened window, so the
ratio to the floor shows what sharing the budget costs; 429 answers must be zero.
"""

import json
import os
import subprocess
import sys
import time

from assets.city import GRAZ, LINZ, VIENNA
from assets.openaq.budget import RateBudget, floor_seconds
from benchmarks.measure import Samples
from benchmarks.report import Row
from benchmarks.targets import FETCH_CITIES_FLOOR, FETCH_CITIES_THROTTLED
from devservices.openaq_server.serve import serve_openaq
from devservices.openaq_server.synthetic import cities_for

CITIES = (VIENNA, GRAZ, LINZ)
KEY = "bench-key"
START_DELAY_S = 3.0  # time for the three processes to import before the common start


def _one_run(extra_locations: int, limit: int, window_s: float) -> tuple[float, int, int]:
    """(wall seconds from the common start to the last pod's end, requests the server saw, 429 answers)."""
    places = [(c.name, c.latitude, c.longitude, c.timezone) for c in CITIES]
    servers = cities_for(places, extra_locations=extra_locations)
    with serve_openaq(cities=servers, api_key=KEY, rate_limit=limit, rate_window_s=window_s) as server:
        start_at = time.time() + START_DELAY_S
        env = {**os.environ, "FAN_OUT_PARALLELISM": str(len(CITIES))}
        pods = [
            subprocess.Popen(
                [sys.executable, "-m", "benchmarks.fetch_cities_worker", server.base_url, KEY, c.name,
                 str(c.latitude), str(c.longitude), c.timezone, str(limit), str(window_s), str(start_at)],
                env=env, stdout=subprocess.PIPE, text=True,
            )
            for c in CITIES
        ]  # fmt: skip
        outputs = [pod.communicate(timeout=600)[0] for pod in pods]
        if any(pod.returncode for pod in pods):
            raise RuntimeError(f"a pod failed: {[pod.returncode for pod in pods]}")
        finished = max(json.loads(output.strip().splitlines()[-1])["finished_at"] for output in outputs)
        return finished - start_at, server.counters.requests, server.counters.rate_limited


def fetch_cities(extra_locations: int, limit: int, window_s: float, runs: int) -> list[Row]:
    results = [_one_run(extra_locations, limit, window_s) for _ in range(runs)]
    budget = RateBudget(limit, window_s)
    floors = tuple(floor_seconds(r[1], budget) for r in results)
    setting = f"3 cities × {15 + extra_locations * 3 // 2} sensors, {limit} requests / {window_s:g} s, 3 pods"
    return [
        Row("fetch", f"{setting}: floor (ceil(R/L)-1)·W", Samples(floors), "s"),
        Row("fetch", f"{setting}: wall time", Samples(tuple(r[0] for r in results)), "s"),
        Row(
            "fetch",
            "three cities: wall time / floor",
            Samples(tuple(r[0] / f for r, f in zip(results, floors, strict=True))),
            "x",
            target=FETCH_CITIES_FLOOR,
        ),
        Row(
            "fetch",
            "three cities: HTTP 429 answers",
            Samples(tuple(float(r[2]) for r in results)),
            "count",
            target=FETCH_CITIES_THROTTLED,
        ),
        Row("fetch", "three cities: requests the server saw", Samples(tuple(float(r[1]) for r in results)), "count"),
    ]
