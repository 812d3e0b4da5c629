"""Pacing from x-ratelimit-* headers: a run needing more requests than one window allows gets no 429."""

import datetime as dt
import threading
import time

from assets.openaq import OpenAQClient, RatePacer, day_window_utc, fetch_city_day
from assets.openaq.pacing import Cancelled, Ticket
from tests.assets.openaq.conftest import FAST_RETRY


def test_city_day_over_the_limit_gets_no_429(openaq_server):
    openaq_server.set_rate_limit(5, 1.0)  # 5 requests per second; the city-day needs 17
    client = OpenAQClient(openaq_server.api_key, openaq_server.base_url, max_workers=4, retry=FAST_RETRY)
    start, end = day_window_utc(dt.date(2026, 11, 27), "Europe/Vienna")
    doc = fetch_city_day(
        client, city="Vienna", latitude=48.2082, longitude=16.3738, radius_m=10_000, start=start, end=end
    )
    assert doc["stats"]["rows"] == 13 * 24
    assert openaq_server.counters.rate_limited == 0
    assert openaq_server.counters.requests == 17
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


def _acquire_in_thread(pacer: RatePacer, count: int) -> tuple[threading.Thread, list[Ticket]]:
    granted: list[Ticket] = []

    def take() -> None:
        for _ in range(count):
            granted.append(pacer.acquire())

    worker = threading.Thread(target=take, daemon=True)
    worker.start()
    return worker, granted


def _grants_then_waits(pacer: RatePacer, now: list[float], count: int, reset_at: float) -> list[Ticket]:
    """Exactly `count` more requests are granted at once; the next waits for `reset_at` and goes as its probe."""
    waiter, granted = _acquire_in_thread(pacer, count + 1)
    deadline = time.monotonic() + 5
    while len(granted) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    waiter.join(timeout=0.3)  # time for a wrongly granted extra one
    assert waiter.is_alive()
    assert granted == [Ticket(probe=False)] * count
    now[0] = reset_at
    waiter.join(timeout=5)
    assert granted[-1] == Ticket(probe=True)
    return granted


def test_in_flight_requests_are_subtracted_from_reported_remaining():
    now = [0.0]
    pacer = RatePacer(clock=lambda: now[0])
    probe = pacer.acquire()
    pacer.release(probe, {"x-ratelimit-remaining": "5", "x-ratelimit-reset": "10"})
    a, b = pacer.acquire(), pacer.acquire()  # local estimate now 3
    # Another job used the key: `a` comes back reporting only 2 left, and `b` (in flight) will use one of them,
    # so exactly 1 more may be sent (without the subtraction the pacer would allow 2).
    pacer.release(a, {"x-ratelimit-remaining": "2", "x-ratelimit-reset": "10"})
    waiter, granted = _acquire_in_thread(pacer, 2)
    waiter.join(timeout=0.3)
    assert waiter.is_alive()
    assert granted == [Ticket(probe=False)]
    pacer.release(b, None)
    now[0] = 11.0
    waiter.join(timeout=5)
    assert granted == [Ticket(probe=False), Ticket(probe=True)]
    # The new window: `b` (answered, if at all, in the ended one) no longer counts; granted[0], still in flight, may.
    pacer.release(granted[1], {"x-ratelimit-remaining": "3", "x-ratelimit-reset": "10"})
    _grants_then_waits(pacer, now, 2, reset_at=21.0)


def test_answered_requests_are_not_subtracted_twice():
    now = [0.0]
    pacer = RatePacer(clock=lambda: now[0])
    probe = pacer.acquire()
    pacer.release(probe, {"x-ratelimit-remaining": "9", "x-ratelimit-reset": "10"})  # 10 per window, 1 used
    sent = [pacer.acquire() for _ in range(4)]
    # The server handled all four (counting down 8, 7, 6, 5); the last handled is answered first, while the other
    # three are still in flight for the pacer. Once all are answered the count of 5 covers every one of them.
    for ticket, remaining in zip(sent, ("5", "8", "7", "6"), strict=True):
        pacer.release(ticket, {"x-ratelimit-remaining": remaining, "x-ratelimit-reset": "10"})
    _grants_then_waits(pacer, now, 5, reset_at=10.0)  # exactly the window's 10, none left unused


def test_answer_from_the_next_window_replaces_the_spent_budget():
    now = [0.0]
    pacer = RatePacer(clock=lambda: now[0])
    probe = pacer.acquire()
    pacer.release(probe, {"x-ratelimit-remaining": "3", "x-ratelimit-reset": "11"})  # our window ends at t=11
    sent = pacer.acquire()  # 2 left locally
    now[0] = 10.5  # the server's clock is slightly ahead: its new window (60 per 60 s) already began
    pacer.release(sent, {"x-ratelimit-remaining": "59", "x-ratelimit-reset": "60"})
    # 59 requests go out at once; only the 60th waits for the new window's reset at t=70.5, not the old 2.
    _grants_then_waits(pacer, now, 59, reset_at=70.5)
    assert pacer.waits == 1  # the 60th


def test_late_answer_from_an_ended_window_does_not_shrink_the_new_budget():
    now = [0.0]
    pacer = RatePacer(clock=lambda: now[0])
    probe = pacer.acquire()
    pacer.release(probe, {"x-ratelimit-remaining": "2", "x-ratelimit-reset": "1"})
    late = pacer.acquire()  # sent in the old window; its answer will arrive after the new window's
    now[0] = 1.0
    fresh = pacer.acquire()  # the old window ended: a probe learns the new one
    assert fresh == Ticket(probe=True)
    pacer.release(fresh, {"x-ratelimit-remaining": "59", "x-ratelimit-reset": "60"})  # new window ends at t=61
    pacer.release(late, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1"})  # stale: its window ended at ~t=2
    waiter, granted = _acquire_in_thread(pacer, 10)
    waiter.join(timeout=2)
    assert not waiter.is_alive()
    assert granted == [Ticket(probe=False)] * 10


def test_answers_in_the_same_window_keep_the_lower_count():
    now = [0.0]
    pacer = RatePacer(clock=lambda: now[0])
    probe = pacer.acquire()
    pacer.release(probe, {"x-ratelimit-remaining": "10", "x-ratelimit-reset": "30"})
    sent = pacer.acquire()
    now[0] = 0.4  # an answer in the same window whose whole-second reset rounded up: still the same window
    pacer.release(sent, {"x-ratelimit-remaining": "1", "x-ratelimit-reset": "30"})
    _grants_then_waits(pacer, now, 1, reset_at=31.0)


def _waits_until(pacer: RatePacer, now: list[float], still_waiting_at: float, granted_at: float) -> None:
    """One acquire is still waiting at `still_waiting_at` and is granted as the next window's probe at `granted_at`."""
    now[0] = still_waiting_at
    waiter, granted = _acquire_in_thread(pacer, 1)
    waiter.join(timeout=0.3)
    assert waiter.is_alive()
    now[0] = granted_at
    waiter.join(timeout=5)
    assert granted == [Ticket(probe=True)]


def test_answers_of_one_window_keep_its_earliest_end():
    # the server rounds reset up to whole seconds: an answer computed 0.99 s into a 2 s window says 2, not 1.01
    now = [0.0]
    pacer = RatePacer(clock=lambda: now[0])
    probe = pacer.acquire()
    pacer.release(probe, {"x-ratelimit-remaining": "1", "x-ratelimit-reset": "2"})  # the window ends by t=2
    sent = pacer.acquire()
    now[0] = 1.0
    pacer.release(sent, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "2"})  # by t=3: true, but not the earliest
    _waits_until(pacer, now, still_waiting_at=1.9, granted_at=2.0)


def _late_and_fresh(now: list[float]) -> tuple[RatePacer, Ticket, Ticket]:
    """A request sent in a first window (ends by t=2) and still unanswered, and the probe that opened the second."""
    pacer = RatePacer(clock=lambda: now[0])
    probe = pacer.acquire()
    pacer.release(probe, {"x-ratelimit-remaining": "1", "x-ratelimit-reset": "2"})
    late = pacer.acquire()
    now[0] = 2.0
    fresh = pacer.acquire()
    assert fresh == Ticket(probe=True)
    return pacer, late, fresh


def test_a_late_answer_from_the_ended_window_cannot_shorten_the_current_one():
    now = [0.0]
    pacer, late, fresh = _late_and_fresh(now)
    pacer.release(fresh, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "2"})  # the second window ends by t=4
    now[0] = 2.1
    pacer.release(late, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1"})  # by t=3.1: the first window's end
    _waits_until(pacer, now, still_waiting_at=3.5, granted_at=4.0)


def test_a_late_answer_arriving_first_gives_way_to_the_current_windows_own():
    now = [0.0]
    pacer, late, fresh = _late_and_fresh(now)
    now[0] = 2.5
    pacer.release(late, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1"})  # stale, yet the first to arrive
    now[0] = 2.6
    # the current window (another pod's requests opened it on the same key) ends by t=3.6, later than the stale 3.5
    pacer.release(fresh, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1"})
    _waits_until(pacer, now, still_waiting_at=3.55, granted_at=3.6)


def test_block_holds_even_when_a_late_answer_reports_budget():
    now = [0.0]
    pacer = RatePacer(clock=lambda: now[0])
    probe = pacer.acquire()
    pacer.block_for(5.0)  # another request's 429 said: nothing for 5 s
    pacer.release(probe, {"x-ratelimit-remaining": "50", "x-ratelimit-reset": "60"})
    waiter, granted = _acquire_in_thread(pacer, 1)
    waiter.join(timeout=0.3)
    assert waiter.is_alive()
    assert granted == []
    now[0] = 5.0
    waiter.join(timeout=5)
    assert granted == [Ticket(probe=False)]


def test_cancel_event_wakes_a_waiting_acquire():
    now = [0.0]
    pacer = RatePacer(clock=lambda: now[0])
    pacer.block_for(60.0)
    cancel = threading.Event()
    raised: list[BaseException] = []

    def take() -> None:
        try:
            pacer.acquire(cancel)
        except Cancelled as exc:
            raised.append(exc)

    waiter = threading.Thread(target=take, daemon=True)
    waiter.start()
    waiter.join(timeout=0.3)
    assert waiter.is_alive()
    cancel.set()
    waiter.join(timeout=5)
    assert not waiter.is_alive()
    assert len(raised) == 1
