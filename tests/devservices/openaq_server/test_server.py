"""The local OpenAQ server over real HTTP: v3 shapes, auth, limits, period semantics, faults, counters, CLI."""

import json
import os
import signal
import subprocess
import sys

import pytest
import requests

from devservices.openaq_server import Fault

EXAMPLES = "openaq/examples"
HOURS = "/v3/sensors/9001011/hours"
NOV_27 = {"datetime_from": "2026-11-26T23:00:00Z", "datetime_to": "2026-11-27T23:00:00Z"}


def get(server, path, params=None, key="__server__"):
    headers = {} if key is None else {"X-API-Key": server.api_key if key == "__server__" else key}
    return requests.get(server.base_url + path, params=params, headers=headers, timeout=5)


def keys_of(value):
    if isinstance(value, dict):
        return {k: keys_of(v) for k, v in value.items() if v is not None}
    if isinstance(value, list) and value:
        return [keys_of(value[0])]
    return type(value).__name__


def test_locations_have_the_real_v3_shape(openaq_server, shared_file):
    body = get(openaq_server, "/v3/locations", {"coordinates": "48.2082,16.3738", "radius": 10000}).json()
    assert body["results"][0]["provider"]["name"] == "synthetic"
    assert "synthetic" in body["results"][0]["name"]
    example = json.loads(shared_file(f"{EXAMPLES}/locations_page.json").read_text())  # skips here when absent
    assert set(body["meta"]) == set(example["meta"])
    assert set(body["results"][0]) == set(example["results"][0])
    assert keys_of(body["results"][0]["sensors"]) == keys_of(example["results"][0]["sensors"])


def test_hour_rows_have_the_real_v3_shape(openaq_server, shared_file):
    body = get(openaq_server, HOURS, NOV_27).json()
    assert body["results"][0]["coordinates"] is None
    assert body["meta"] == {"name": "openaq-api", "website": "/", "page": 1, "limit": 100, "found": 24}
    example = json.loads(shared_file(f"{EXAMPLES}/sensor_hours_one_utc_day.json").read_text())  # skips when absent
    assert keys_of(body["results"][0]) == keys_of(example["results"][0])


def test_period_end_semantics_from_exclusive_to_inclusive(openaq_server):
    rows = get(openaq_server, HOURS, {"datetime_from": "2026-11-27T00:00:00Z", "datetime_to": "2026-11-27T03:00:00Z"})
    ends = [r["period"]["datetimeTo"]["utc"] for r in rows.json()["results"]]
    assert ends == ["2026-11-27T01:00:00Z", "2026-11-27T02:00:00Z", "2026-11-27T03:00:00Z"]


def test_times_without_zone_are_read_in_the_station_zone(openaq_server):
    rows = get(openaq_server, HOURS, {"datetime_from": "2026-11-27T00:00:00", "datetime_to": "2026-11-27T02:00:00"})
    ends = [r["period"]["datetimeTo"]["utc"] for r in rows.json()["results"]]
    assert ends == ["2026-11-27T00:00:00Z", "2026-11-27T01:00:00Z"]  # Vienna is UTC+1 in November


def test_radius_filter_and_distance(openaq_server):
    body = get(openaq_server, "/v3/locations", {"coordinates": "48.2082,16.3738", "radius": 1500}).json()
    assert [(r["id"], round(r["distance"])) for r in body["results"]] == [(900101, 40), (900102, 1100)]


def test_full_page_found_is_a_string(openaq_server):
    body = get(openaq_server, HOURS, {**NOV_27, "limit": 10, "page": 3}).json()
    assert body["meta"]["found"] == 4
    assert len(body["results"]) == 4
    assert get(openaq_server, HOURS, {**NOV_27, "limit": 10}).json()["meta"]["found"] == ">10"


@pytest.mark.parametrize(
    ("key", "body"),
    [
        (None, {"message": "Unauthorized. A valid API key must be provided in the X-API-Key header."}),
        ("nope", {"detail": "Invalid credentials"}),
    ],
)
def test_auth_is_required(openaq_server, key, body):
    answer = get(openaq_server, "/v3/locations", key=key)
    assert answer.status_code == 401
    assert answer.json() == body


def test_retired_and_unknown_paths(openaq_server):
    assert get(openaq_server, "/v2/locations").status_code == 410
    assert get(openaq_server, "/v1/measurements").status_code == 410
    assert get(openaq_server, "/v3/nothing").status_code == 404
    assert get(openaq_server, "/v3/sensors/1/hours").status_code == 404


def test_limit_over_1000_is_a_pydantic_422(openaq_server):
    answer = get(openaq_server, "/v3/locations", {"limit": 1001})
    assert answer.status_code == 422
    detail = answer.json()["detail"][0]
    assert detail["loc"] == ["query", "limit"]
    assert detail["type"] == "less_than_equal"
    assert get(openaq_server, "/v3/locations", {"coordinates": "48.2,16.3", "radius": 25001}).status_code == 422


def test_rate_limit_headers_and_429(openaq_server):
    openaq_server.set_rate_limit(3, 30.0)
    answers = [get(openaq_server, "/v3/locations") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert answers[0].headers["x-ratelimit-limit"] == "3"
    assert answers[1].headers["x-ratelimit-used"] == "2"
    assert 1 <= int(answers[3].headers["x-ratelimit-reset"]) <= 30
    assert answers[3].json() == {"detail": "Too many requests"}
    assert openaq_server.counters.requests == 4
    assert openaq_server.counters.rate_limited == 1


def test_fault_matches_sensor_and_is_used_up(openaq_server):
    fault = openaq_server.faults.add(Fault("status", path="/v3/sensors/*/hours", sensor_id=9001012, status=504))
    assert get(openaq_server, HOURS, NOV_27).status_code == 200
    assert get(openaq_server, "/v3/sensors/9001012/hours", NOV_27).status_code == 504
    assert get(openaq_server, "/v3/sensors/9001012/hours", NOV_27).status_code == 200
    assert fault.hits == 1


def test_truncated_and_dropped_answers(openaq_server):
    openaq_server.faults.add(Fault("truncate", path=HOURS))
    answer = get(openaq_server, HOURS, NOV_27)
    assert answer.status_code == 200
    with pytest.raises(requests.JSONDecodeError):
        answer.json()
    openaq_server.faults.add(Fault("drop", path=HOURS))
    with pytest.raises(requests.ConnectionError):
        get(openaq_server, HOURS, NOV_27)


def test_cli_prints_the_base_url_but_not_a_given_key():
    env = {**os.environ, "OPENAQ_API_KEY": "given-secret-key-99"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "devservices.openaq_server", "--port", "0", "--rate-limit", "5"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first.startswith("export OPENAQ_BASE_URL=http://127.0.0.1:")
        base_url = first.split("=", 1)[1]
        answer = requests.get(base_url + "/v3/locations", headers={"X-API-Key": "given-secret-key-99"}, timeout=5)
        assert answer.status_code == 200
        assert answer.headers["x-ratelimit-limit"] == "5"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "given-secret-key-99" not in first + out
