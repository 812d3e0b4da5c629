"""A pod's share of the key's budget (`FAN_OUT_PARALLELISM`): clients sharing one key in parallel get no 429 when
each keeps to its share, and do get them when each trusts the shared headers alone (real HTTP, one key)."""

import datetime as dt
import threading

import pytest

from assets.openaq import OpenAQClient, day_window_utc, fetch_city_day
from assets.openaq.budget import RateBudget, SlidingWindowLimit, fan_out_parallelism, key_budget, pod_budget
from assets.openaq.errors import OpenAQConfigError
from devservices.openaq_server import OpenAQServer
from tests.assets.openaq.conftest import FAST_RETRY


def _three_clients_fetch(server: OpenAQServer, budget: RateBudget | None) -> None:
    start, end = day_window_utc(dt.date(2026, 11, 27), "Europe/Vienna")
    errors: list[BaseException] = []

    def fetch() -> None:
        try:
            with OpenAQClient(server.api_key, server.base_url, max_workers=4, retry=FAST_RETRY, budget=budget) as c:
                fetch_city_day(
                    c, city="Vienna", latitude=48.2082, longitude=16.3738, radius_m=10_000, start=start, end=end
                )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=fetch) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


def test_three_clients_on_one_key_keep_to_their_shares(openaq_server: OpenAQServer) -> None:
    openaq_server.set_rate_limit(12, 1.0)  # each city-day needs 17: together 51, over four windows
    _three_clients_fetch(openaq_server, RateBudget(12, 1.0).share(3))
    assert openaq_server.counters.requests == 51
    assert openaq_server.counters.rate_limited == 0


def test_without_shares_parallel_clients_provoke_429(openaq_server: OpenAQServer) -> None:
    openaq_server.set_rate_limit(12, 1.0)
    _three_clients_fetch(openaq_server, None)  # headers alone: the others' requests are not seen in time
    assert openaq_server.counters.rate_limited > 0


@pytest.mark.parametrize(
    ("parallelism", "share"),
    [(1, RateBudget(60, 60.0)), (3, RateBudget(20, 60.0)), (7, RateBudget(8, 60.0)), (120, RateBudget(1, 120.0))],
)
def test_the_share_is_the_budget_divided_by_the_fan_outs_parallelism(parallelism: int, share: RateBudget) -> None:
    assert pod_budget(RateBudget(60, 60.0), {"FAN_OUT_PARALLELISM": str(parallelism)}) == share
    assert share.per_minute * parallelism <= 60


@pytest.mark.parametrize("raw", ["0", "-2", "three", "1.5"])
def test_a_bad_parallelism_names_the_variable(raw: str) -> None:
    with pytest.raises(OpenAQConfigError, match="FAN_OUT_PARALLELISM"):
        fan_out_parallelism({"FAN_OUT_PARALLELISM": raw})
    assert fan_out_parallelism({}) == 1


def test_a_key_with_another_limit_replaces_the_configured_one() -> None:
    assert key_budget(60, {}) == RateBudget(60, 60.0)
    assert key_budget(60, {"OPENAQ_REQUESTS_PER_MINUTE": " 300 "}) == RateBudget(300, 60.0)
    shared = pod_budget(key_budget(60, {"OPENAQ_REQUESTS_PER_MINUTE": "300"}), {"FAN_OUT_PARALLELISM": "3"})
    assert shared == RateBudget(100, 60.0)  # the fan-out still divides the key's budget


@pytest.mark.parametrize("raw", ["0", "-5", "sixty", "60.5"])
def test_a_bad_key_limit_names_the_variable(raw: str) -> None:
    with pytest.raises(OpenAQConfigError, match="OPENAQ_REQUESTS_PER_MINUTE"):
        key_budget(60, {"OPENAQ_REQUESTS_PER_MINUTE": raw})


def test_the_sliding_window_holds_the_next_request_until_the_oldest_leaves() -> None:
    limit = SlidingWindowLimit(RateBudget(2, 10.0), slack=0.1)
    limit.record(0.0)
    limit.record(1.0)
    assert limit.free_at(5.0) == 11.0  # the first request leaves the 11 s window at 11 s
    assert limit.free_at(11.0) == 11.0
