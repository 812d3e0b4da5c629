import datetime as dt

import pytest

from assets.openaq import OpenAQConfigError, day_window_utc, to_api_time

UTC = dt.UTC


def test_winter_day_is_24_hours_starting_at_23z():
    start, end = day_window_utc(dt.date(2026, 11, 27), "Europe/Vienna")
    assert start == dt.datetime(2026, 11, 26, 23, tzinfo=UTC)
    assert end == dt.datetime(2026, 11, 27, 23, tzinfo=UTC)


def test_spring_forward_day_is_23_hours():
    start, end = day_window_utc(dt.date(2026, 3, 29), "Europe/Vienna")
    assert (to_api_time(start), to_api_time(end)) == ("2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z")
    assert end - start == dt.timedelta(hours=23)


def test_fall_back_day_is_25_hours():
    start, end = day_window_utc(dt.date(2026, 10, 25), "Europe/Vienna")
    assert (to_api_time(start), to_api_time(end)) == ("2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z")
    assert end - start == dt.timedelta(hours=25)


def test_unknown_time_zone_is_named():
    with pytest.raises(OpenAQConfigError, match="Europe/Vienan"):
        day_window_utc(dt.date(2026, 1, 1), "Europe/Vienan")


def test_api_time_converts_offsets_to_z_and_rejects_naive():
    plus_one = dt.timezone(dt.timedelta(hours=1))
    assert to_api_time(dt.datetime(2026, 1, 2, 0, 30, tzinfo=plus_one)) == "2026-01-01T23:30:00Z"
    with pytest.raises(OpenAQConfigError, match="no time zone"):
        to_api_time(dt.datetime(2026, 1, 2))
