"""The dirty synthetic server (what `make demo` / `make dev` run): the flaws real data has, deterministically.

Asked over real HTTP, the rows are compared with the city's own account of its dirt (`dirt_counts`), so the tests
of exact counts elsewhere can derive their expectations the same way.
"""

from collections import Counter
from datetime import UTC, datetime

import requests

from devservices.openaq_server.serve import serve_openaq
from devservices.openaq_server.synthetic import SENTINEL_VALUE, SyntheticCity

WINDOW = {"datetime_from": "2026-11-20T23:00:00Z", "datetime_to": "2026-11-27T23:00:00Z"}  # a week: enough dirt
START, END = datetime(2026, 11, 20, 23, tzinfo=UTC), datetime(2026, 11, 27, 23, tzinfo=UTC)


def _rows(base_url: str, sensor_id: int) -> list[dict]:
    rows, page = [], 1
    while True:
        answer = requests.get(
            f"{base_url}/v3/sensors/{sensor_id}/hours",
            params={**WINDOW, "limit": "100", "page": str(page)},
            headers={"X-API-Key": "k"},
            timeout=10,
        )
        answer.raise_for_status()
        results = answer.json()["results"]
        rows += results
        if len(results) < 100:
            return rows
        page += 1


def _observed(rows: list[dict]) -> Counter[str]:
    ends = [row["period"]["datetimeTo"]["utc"] for row in rows]
    inside = [
        row for row, end in zip(rows, ends, strict=True) if "2026-11-21T00:00:00Z" <= end <= "2026-11-27T23:00:00Z"
    ]
    inside_ends = Counter(row["period"]["datetimeTo"]["utc"] for row in inside)
    return Counter(
        {
            "null": sum(row["value"] is None for row in inside),
            "sentinel": sum(row["value"] == SENTINEL_VALUE for row in inside),
            "duplicate": sum(count - 1 for count in inside_ends.values()),
            "outside": len(rows) - len(inside),
        }
    )


def test_dirty_server_serves_exactly_the_dirt_it_declares_and_the_same_every_time() -> None:
    city = SyntheticCity(dirty=True)
    sensors = city.active_sensor_ids(START, 25_000)
    with serve_openaq(city=city, api_key="k") as server:
        total = Counter[str]()
        for sensor_id in sensors:
            rows = _rows(server.base_url, sensor_id)
            assert _observed(rows) == city.dirt_counts(sensor_id, START, END), sensor_id  # missing counts as 0
            assert len(rows) - _observed(rows)["duplicate"] - _observed(rows)["outside"] == city.count_hours(
                sensor_id, START, END
            )
            total += _observed(rows)
        again = _rows(server.base_url, sensors[0])
    assert again == _rows_clean_or_dirty(sensors[0], dirty=True)
    assert all(total[kind] > 0 for kind in ("null", "sentinel", "duplicate", "outside"))


def _rows_clean_or_dirty(sensor_id: int, *, dirty: bool) -> list[dict]:
    with serve_openaq(city=SyntheticCity(dirty=dirty), api_key="k") as server:
        return _rows(server.base_url, sensor_id)


def test_the_default_server_stays_clean() -> None:
    city = SyntheticCity()
    sensor_id = city.active_sensor_ids(START, 25_000)[0]
    rows = _rows_clean_or_dirty(sensor_id, dirty=False)
    assert sum(_observed(rows).values()) == 0
    assert len(rows) == city.count_hours(sensor_id, START, END)
    assert city.dirt_counts(sensor_id, START, END) == Counter()
