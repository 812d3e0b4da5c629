"""`dagster dev` and `dg dev` smoke test: the code location loads with assets, partitions, schedule (stopped, as it
must be on a dev machine); stops cleanly."""

import os
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from devservices.dagster_dev import CLIS, start_dagster_dev, stop_dagster_dev
from devservices.openaq_server.app import OpenAQServer
from devservices.ports import free_ports

QUERY = """
{
  assetNodes { assetKey { path } partitionDefinition { type description } }
  repositoriesOrError {
    ... on RepositoryConnection {
      nodes { schedules { name cronSchedule executionTimezone scheduleState { status } } }
    }
  }
}
"""


def _query(url: str, deadline: float) -> dict[str, Any]:
    """Ask until the webserver answers with the loaded code location (startup takes a while on 2 cores)."""
    while True:
        try:
            answer = requests.post(url, json={"query": QUERY}, timeout=10).json()
            if answer.get("data", {}).get("assetNodes"):
                return answer["data"]
        except (requests.ConnectionError, requests.Timeout, ValueError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"dagster dev did not serve the code location at {url}")
        time.sleep(1)


@pytest.mark.timeout(240)
@pytest.mark.parametrize("cli", CLIS)
def test_dagster_dev_serves_the_pipeline_and_stops_without_leftovers(
    s3_env: dict[str, str], openaq_env: OpenAQServer, tmp_path: Path, cli: str
) -> None:
    (port,) = free_ports(1)
    process = start_dagster_dev(dict(os.environ), port, tmp_path / "home", tmp_path / "dagster-dev.log", cli=cli)
    try:
        data = _query(f"http://127.0.0.1:{port}/graphql", time.monotonic() + 180)
    finally:
        stop_dagster_dev(process)

    keys = sorted("/".join(node["assetKey"]["path"]) for node in data["assetNodes"])
    assert keys == [
        "openaq/clean_measurements",
        "openaq/daily_summary",
        "openaq/measurements_parquet",
        "openaq/raw_measurements",
    ]
    assert {node["partitionDefinition"]["type"] for node in data["assetNodes"]} == {"MULTIPARTITIONED"}
    assert all("Europe/Vienna" in node["partitionDefinition"]["description"] for node in data["assetNodes"])
    (schedule,) = [s for repo in data["repositoriesOrError"]["nodes"] for s in repo["schedules"]]
    assert schedule == {
        "name": "air_quality_nightly",
        "cronSchedule": "0 1 * * *",
        "executionTimezone": "Europe/Vienna",
        # A dev UI must not start calling the API on its own: the schedule is shown (and is) stopped until started.
        "scheduleState": {"status": "STOPPED"},
    }
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)
