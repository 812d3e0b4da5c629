"""The flagship for three cities (Vienna, Graz, Linz), compiled and its CronWorkflow's tick replayed with run-local
against the local services: one Argo workflow fans out over the cities, each publishes its object with its rows,
a city whose OpenAQ requests fail permanently fails alone, and the shared key never gets a 429."""

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml
from dagster import build_schedule_context

from assets.city import GRAZ, LINZ, VIENNA
from assets.measurements_parquet import object_key
from assets.resources.object_store import ObjectStore
from devservices.openaq_server.app import OpenAQServer
from devservices.openaq_server.faults import Fault
from devservices.openaq_server.serve import serve_openaq
from devservices.openaq_server.synthetic import cities_for
from devservices.three_cities import CITIES, defs
from tests.assets.cities import a_sensor_of, expected_rows, partition_key

ROOT = Path(__file__).resolve().parents[3]
MODULE = "devservices.three_cities"
TICK = "2026-11-28T00:00:00Z"  # 01:00 in Vienna: the day 2026-11-27 of every city
DAY = "2026-11-27"
KEY = "test-openaq-key-4f1c"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("three-cities") / "argo_out"
    built = subprocess.run(
        [sys.executable, "-m", "compiler", "build", "--module", MODULE, "--out", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    return folder


def _server(extra_locations: int) -> Any:
    places = [(c.name, c.latitude, c.longitude, c.timezone) for c in CITIES]
    # The real API's limit for the one key all pods share.
    return serve_openaq(
        cities=cities_for(places, extra_locations=extra_locations), api_key=KEY, rate_limit=60, rate_window_s=60.0
    )


@pytest.fixture
def services(
    s3_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[OpenAQServer]:
    with _server(getattr(request, "param", 0)) as server:
        monkeypatch.setenv("OPENAQ_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAQ_API_KEY", KEY)
        yield server


def _replay_tick(out: Path) -> subprocess.CompletedProcess[str]:
    """What Argo's controller does at the tick: the CronWorkflow's workflowSpec (entrypoint, arguments) run from
    the WorkflowTemplate, with the tick as workflow.scheduledTime."""
    [cron_file] = out.glob("*.cronworkflow.yaml")
    spec = yaml.safe_load(cron_file.read_text(encoding="utf-8"))["spec"]["workflowSpec"]
    parameters = [f"{p['name']}={p['value']}" for p in spec.get("arguments", {}).get("parameters", [])]
    [template] = out.glob("*.workflowtemplate.yaml")
    command = [
        sys.executable,
        "-m",
        "compiler",
        "run-local",
        str(template),
        "--scheduled-time",
        TICK,
        "--backoff-scale",
        "0",
        # The fan-out's `parallelism` runs every city's pod at once on Argo; run-local's default of 2 would run the
        # third city after the first two, each wave waiting out its own minute of the key's budget.
        "--max-parallel",
        str(_fan_out_parallelism(template)),
    ]
    command += ["--entrypoint", spec.get("entrypoint") or "main"]
    for parameter in parameters:
        command += ["-p", parameter]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, env=dict(os.environ))


def _fan_out_parallelism(template: Path) -> int:
    """The compiled fan-out's bound: one pod per city at once."""
    templates = yaml.safe_load(template.read_text(encoding="utf-8"))["spec"]["templates"]
    bounds = {t["parallelism"] for t in templates if "parallelism" in t}
    assert bounds == {len(CITIES)}, bounds
    return len(CITIES)


def _requested_keys() -> list[str]:
    """Dagster's own answer: the partition keys the flagship schedule requests for the tick."""
    repository = defs.get_repository_def()
    schedule = repository.get_schedule_def("air_quality_nightly")
    at = datetime.fromisoformat(TICK.replace("Z", "+00:00")).astimezone(UTC)
    with build_schedule_context(scheduled_execution_time=at, repository_def=repository) as context:
        requests = schedule.evaluate_tick(context).run_requests or []
    return [str(r.partition_key) for r in requests]


def _published_rows(city_name: str) -> int:
    return pq.read_table(io.BytesIO(ObjectStore.from_env().get_bytes(object_key(city_name, DAY)))).num_rows


@pytest.mark.parametrize("services", [4], indirect=True)  # 21 requests a city: 63 in all, over the key's 60
def test_a_tick_publishes_every_citys_object_without_a_429(out: Path, services: OpenAQServer) -> None:
    replay = _replay_tick(out)
    assert replay.returncode == 0, replay.stdout[-4000:] + replay.stderr[-2000:]
    requested = _requested_keys()
    assert sorted(requested) == sorted(partition_key(c.name, DAY) for c in CITIES)
    for c in CITIES:  # each key the schedule requests ran its own chain of three steps
        assert re.search(rf"^✔ each-[a-z-]+\(\d+:{c.name}\)\.openaq-measurements-parquet ", replay.stdout, re.M)
    for city in (VIENNA, GRAZ, LINZ):
        assert _published_rows(city.name) == expected_rows(services, city, DAY) > 0
    # More than the key's minute, from three pods at once, each given FAN_OUT_PARALLELISM by the compiled YAML: they
    # had to share it, and none was ever answered 429.
    assert services.counters.requests > 60
    assert services.counters.rate_limited == 0
    assert 429 not in services.counters.statuses


def test_a_city_whose_requests_fail_permanently_fails_alone(out: Path, services: OpenAQServer) -> None:
    broken = a_sensor_of(services, GRAZ, DAY)
    fault = services.faults.add(
        Fault(kind="status", status=422, path=f"/v3/sensors/{broken}/hours", sensor_id=broken, times=None)
    )
    replay = _replay_tick(out)
    assert replay.returncode == 1
    output = replay.stdout
    assert re.search(r"^✘ each-[a-z-]+\(\d+:graz\)\.openaq-raw-measurements exit 3", output, re.M), output[-3000:]
    assert re.search(r"^⊘ each-[a-z-]+\(\d+:graz\)\.openaq-measurements-parquet skipped", output, re.M)
    assert fault.hits == 1  # rejected for good: neither Argo's retryStrategy nor Dagster asked again
    assert not ObjectStore.from_env().exists(object_key("graz", DAY))
    for city in (VIENNA, LINZ):
        assert _published_rows(city.name) == expected_rows(services, city, DAY)
    assert services.counters.rate_limited == 0
