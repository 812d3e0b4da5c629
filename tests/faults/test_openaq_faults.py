"""OpenAQ faults at the pipeline level: recovered within the retry budget, or a clear error and nothing published.

Client-level classification (every status, timeouts, drops, truncated JSON, 429 pacing, repeated pages, key
redaction) is proven in tests/assets/openaq/test_faults.py; out-of-range values failing the blocking check with the
previous object kept are proven in tests/assets/test_pipeline.py. Here the whole pipeline runs with each fault.
"""

import time

import pytest

from assets.resources.object_store import ObjectStore
from devservices.openaq_server.app import OpenAQServer
from devservices.openaq_server.faults import PLAIN_STRING_422, Fault
from tests.assets.openaq.synthetic_vienna import SENSORS_WITHIN_10KM
from tests.faults.pipeline import FAST_RETRY, failed_steps, failure_message, published, published_key, run_pipeline

SENSOR = 9001011
HOURS = f"/v3/sensors/{SENSOR}/hours"
# Sensors the pipeline fetches, one per transient fault so every fault bites in the same run.
UG_SENSORS = SENSORS_WITHIN_10KM
PREVIOUS = b"previous complete object, published by an earlier night"


@pytest.fixture
def pipeline_env(s3_env: dict[str, str], openaq_env: OpenAQServer) -> OpenAQServer:
    return openaq_env


def publish_previous(partition: str) -> None:
    ObjectStore.from_env().put_bytes(published_key(partition), PREVIOUS, "application/octet-stream")


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (401, None, ["HTTP 401", "Invalid credentials", "OPENAQ_API_KEY"]),
        (403, None, ["HTTP 403", "Do not retry"]),
        (404, None, ["HTTP 404", f"sensor {SENSOR}", "Check the id"]),
        (410, None, ["HTTP 410", "Use /v3/ paths"]),
        (422, None, ["HTTP 422", "less_than_equal", "Fix the parameters"]),
        (422, PLAIN_STRING_422, ["HTTP 422", "datetime_to must be after datetime_from"]),
    ],
    ids=["401", "403", "404", "410", "422-object", "422-string"],
)
def test_permanent_status_fails_at_once_and_keeps_the_previous_object(
    pipeline_env: OpenAQServer, status: int, body: str | None, words: list[str]
) -> None:
    publish_previous("2026-11-12")
    fault = pipeline_env.faults.add(Fault("status", path=HOURS, status=status, body=body, times=None))

    result = run_pipeline("2026-11-12")

    assert not result.success
    message = failure_message(result)
    for word in words:
        assert word in message, message
    assert fault.hits == 1  # permanent: never retried, not by the client and not by Dagster
    assert failed_steps(result) == {"openaq__raw_measurements"}
    assert published("2026-11-12") == PREVIOUS


def test_transient_faults_are_recovered_and_publish_the_undisturbed_bytes(pipeline_env: OpenAQServer) -> None:
    """Every transport fault of the real world in one night: statuses, timeouts, drops, bodies truncated, not JSON,
    cut mid-stream or trickled, a repeated page, a 429 whose reset is an epoch timestamp."""
    assert run_pipeline("2026-11-13").success
    undisturbed = published("2026-11-13")
    assert undisturbed is not None
    kinds = [
        Fault("status", status=408, times=2),
        Fault("status", status=500, times=2),
        Fault("status", status=502, times=2),
        Fault("status", status=503, times=2),
        Fault("status", status=504, times=2),
        Fault("delay", delay_s=0.8, times=1),  # the fast client's read timeout is 0.5 s
        Fault("drop", times=2),
        Fault("truncate", times=2),
        Fault("invalid_json", times=2),
        Fault("repeat_page", times=1),  # 24 hours in 10-row pages: page 2 repeats page 1 once
        Fault("cut", times=2),  # chunked body cut mid-stream (ChunkedEncodingError): a transport fault
        Fault("trickle", delay_s=0.3, times=1),  # one byte per 0.3 s: cut at the 2 s attempt deadline
        # a gateway sending the reset as a Unix timestamp: 1 s from now, not ~56 years
        Fault("status", status=429, times=1, headers={"x-ratelimit-reset": str(int(time.time()) + 1)}),
    ]
    faults = [pipeline_env.faults.add(Fault("status", path="/v3/locations", status=503, times=2))]
    for sensor, fault in zip(UG_SENSORS, kinds, strict=True):
        fault.path, fault.sensor_id = f"/v3/sensors/{sensor}/hours", sensor
        faults.append(pipeline_env.faults.add(fault))

    assert run_pipeline("2026-11-13").success

    assert [f.hits for f in faults] == [f.times for f in faults]  # every fault really happened
    assert max(f.times or 0 for f in faults) < FAST_RETRY.max_attempts
    assert published("2026-11-13") == undisturbed


def test_429_storm_waits_for_the_reset_header_and_completes(pipeline_env: OpenAQServer) -> None:
    storm = pipeline_env.faults.add(Fault("status", path="/v3/*", status=429, reset_s=1, times=6))
    assert run_pipeline("2026-11-14").success
    assert storm.hits == 6
    assert pipeline_env.counters.rate_limited == 6
    assert pipeline_env.counters.statuses[:6] == [429] * 6  # answered in order: the storm, then real data
    assert set(pipeline_env.counters.statuses[6:]) == {200}
    assert published("2026-11-14") is not None


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (Fault("status", path=HOURS, status=503, times=None), ["HTTP 503", "gave up after 3 attempts"]),
        (Fault("delay", path=HOURS, delay_s=0.8, times=None), ["gave up after 3 attempts", "Timeout"]),
        (Fault("drop", path=HOURS, times=None), ["gave up after 3 attempts", "no answer"]),
        (Fault("invalid_json", path=HOURS, times=None), ["invalid or truncated JSON"]),
        (Fault("truncate", path=HOURS, times=None), ["invalid or truncated JSON"]),
        (Fault("repeat_page", path=HOURS, times=None), ["page 2 repeats page 1"]),
        # a second `"results": []` would empty the page silently (the day published a sensor short, exit 0)
        (Fault("duplicate_key", path=HOURS, times=None), [f"(sensor {SENSOR}, page 1)", "duplicate key 'results'"]),
        (Fault("deep_nesting", path=HOURS, rows=50_000, times=None), [HOURS, "nested deeper than 64 levels"]),
    ],
    ids=["503", "timeout", "drop", "invalid-json", "truncated", "repeat-page", "duplicate-key", "deep-nesting"],
)
def test_fault_outlasting_the_budget_fails_and_keeps_the_previous_object(
    pipeline_env: OpenAQServer, fault: Fault, words: list[str]
) -> None:
    publish_previous("2026-11-15")
    pipeline_env.faults.add(fault)
    result = run_pipeline("2026-11-15")
    assert not result.success
    message = failure_message(result)
    for word in words:
        assert word in message, message
    assert failed_steps(result) == {"openaq__raw_measurements"}
    assert published("2026-11-15") == PREVIOUS


def test_failed_fetch_of_a_new_day_publishes_nothing(pipeline_env: OpenAQServer) -> None:
    pipeline_env.faults.add(Fault("status", path="/v3/locations", status=500, times=None))
    result = run_pipeline("2026-11-16")
    assert not result.success
    assert "HTTP 500" in failure_message(result)
    assert published("2026-11-16") is None
    store = ObjectStore.from_env()
    assert not store.exists("dagster/openaq/raw_measurements/2026-11-16.json")  # no raw value for downstream either
