"""Pacing from x-ratelimit-* headers: a run needing more requests than one window allows gets no 429."""

import datetime as dt
import threading

from assets.openaq import OpenAQClient, RatePacer, day_window_utc, fetch_city_day
from assets.openaq.pacing import Ticket
from tests.assets.openaq.conftest import FAST_RETRY


def test_city_day_over_the_limit_gets_no_429(openaq_server):
    openaq_server.set_rate_limit(5, 1.0)  # 5 requests per second; the city-day needs 14
    client = OpenAQClient(openaq_server.api_key, openaq_server.base_url, max_workers=4, retry=FAST_RETRY)
    start, end = day_window_utc(dt.date(2026, 11, 27), "Europe/Vienna")
    doc = fetch_city_day(
        client, city="Vienna", latitude=48.2082, longitude=16.3738, radius_m=10_000, start=start, end=end
    )
    assert doc["stats"]["rows"] == 13 * 24
    assert openaq_server.counters.rate_limited == 0
    assert openaq_server.counters.requests == 14
    assert doc["stats"]["retries"] == 0
    assert client.pacer.waits > 0  # it had to hold requests back to stay under the limit


def test_pacer_never_grants_more_than_remaining_until_reset():
    now = [0.0]
    pacer = RatePacer(clock=lambda: now[0])
    probe = pacer.acquire()
    assert probe == Ticket(probe=True)
    pacer.release(probe, {"x-ratelimit-remaining": "2", "x-ratelimit-reset": "10"})
    granted = [pacer.acquire(), pacer.acquire()]
    assert granted == [Ticket(probe=False)] * 2

    third: list[Ticket] = []
    waiter = threading.Thread(target=lambda: third.append(pacer.acquire()))
    waiter.start()
    waiter.join(timeout=0.3)
    assert waiter.is_alive()  # budget spent: the third request waits for the window to reset
    assert third == []
    now[0] = 10.0  # the window resets
    waiter.join(timeout=5)
    assert third == [Ticket(probe=True)]


def test_in_flight_requests_are_subtracted_from_reported_remaining():
    now = [0.0]
    pacer = RatePacer(clock=lambda: now[0])
    probe = pacer.acquire()
    pacer.release(probe, {"x-ratelimit-remaining": "3", "x-ratelimit-reset": "10"})
    a, b = pacer.acquire(), pacer.acquire()  # local budget now 1
    # `a` comes back reporting 2 remaining, but `b` is still in flight: only 1 may be sent.
    pacer.release(a, {"x-ratelimit-remaining": "2", "x-ratelimit-reset": "10"})
    pacer.acquire()
    blocked: list[Ticket] = []
    waiter = threading.Thread(target=lambda: blocked.append(pacer.acquire()), daemon=True)
    waiter.start()
    waiter.join(timeout=0.3)
    assert blocked == []
    pacer.release(b, None)
    now[0] = 11.0
    waiter.join(timeout=5)
    assert len(blocked) == 1
