"""Three pods fetching three cities at once share one API key's 60 requests/minute: with FAN_OUT_PARALLELISM=3
each keeps to 20 per minute, so the server never answers 429 although together they need more than one minute's
budget (real processes, the pod's own command, the local OpenAQ server over HTTP, real SeaweedFS)."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from assets.city import GRAZ, LINZ, VIENNA
from assets.openaq.budget import RateBudget, floor_seconds
from devservices.openaq_server.app import OpenAQServer
from devservices.openaq_server.serve import serve_openaq
from devservices.openaq_server.synthetic import cities_for
from devservices.three_cities import CITIES
from tests.assets.cities import partition_key

DAY = "2026-11-27"
KEY = "test-openaq-key-4f1c"
EXTRA_LOCATIONS = 10  # about 31 requests per city-day: three cities need more than the key's 60 per minute


@pytest.fixture
def busy_server() -> Iterator[OpenAQServer]:
    places = [(c.name, c.latitude, c.longitude, c.timezone) for c in (VIENNA, GRAZ, LINZ)]
    cities = cities_for(places, extra_locations=EXTRA_LOCATIONS)
    with serve_openaq(cities=cities, api_key=KEY, rate_limit=60, rate_window_s=60.0) as server:
        yield server


def _pod(city: str, env: dict[str, str]) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-m",
        "compiler",
        "materialize",
        "--module",
        "devservices.three_cities",
        "--asset",
        "openaq/raw_measurements",
        "--partition",
        partition_key(city, DAY),
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_three_parallel_pods_stay_within_the_keys_budget(s3_env: dict[str, str], busy_server: OpenAQServer) -> None:
    env = {
        **os.environ,
        **s3_env,
        "OPENAQ_BASE_URL": busy_server.base_url,
        "OPENAQ_API_KEY": KEY,
        "FAN_OUT_PARALLELISM": "3",
    }
    started = time.monotonic()
    pods = [_pod(city.name, env) for city in CITIES]
    outputs = [pod.communicate(timeout=300)[0] for pod in pods]
    seconds = time.monotonic() - started
    for pod, output in zip(pods, outputs, strict=True):
        assert pod.returncode == 0, output[-3000:]

    requests = busy_server.counters.requests
    assert requests > 60  # more than one window's budget: the pacing had to hold requests back
    assert busy_server.counters.rate_limited == 0
    assert 429 not in busy_server.counters.statuses
    # Each pod sends its 20 at once, then waits a whole (slightly lengthened) window for the rest.
    per_pod = RateBudget(60, 60.0).share(3)
    assert per_pod == RateBudget(20, 60.0)
    assert seconds >= floor_seconds(requests // 3, per_pod)
