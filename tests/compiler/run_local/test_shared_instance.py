"""The flagship compiled with `[tool.compiler.instance] kind = "postgres"`, replayed with run-local against real
PostgreSQL, SeaweedFS and the local OpenAQ server: the shared Dagster instance then holds what "Argo" ran."""

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from dagster import (
    AssetCheckEvaluation,
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    DagsterRunStatus,
    RunsFilter,
    materialize,
)
from dagster._core.instance.ref import InstanceRef
from dagster._serdes import serialize_value

from assets import defs
from assets.city import CITY
from compiler.materialize.instance import instance_yaml
from devservices.dev_instance import with_shared_instance
from devservices.openaq_server.app import OpenAQServer
from devservices.ports import free_ports
from devservices.postgres.server import PostgresServer
from devservices.s3.seaweed import SeaweedS3, stop_process_group
from tests.assets.cities import day_key

ROOT = Path(__file__).resolve().parents[3]
PARTITION = "2026-11-27"  # what the 01:00 Vienna tick on 2026-11-28 materializes
TICK = "2026-11-28T00:00:00Z"
NIGHTLY = "job-air-quality-daily"  # the CronWorkflow's entrypoint: what a tick runs (main also holds the summary)
ARGO_UI = "https://argo.example.test"
ASSETS = ("raw_measurements", "clean_measurements", "measurements_parquet")
TASKS = {f"openaq-{name.replace('_', '-')}": ("openaq", name) for name in ASSETS}
INSTANCE_SETTINGS = f"""
[tool.compiler.instance]
kind = "postgres"
password = {{ name = "dagster-postgresql", key = "password" }}
argo_ui_url = "{ARGO_UI}/"
"""


@dataclass(frozen=True)
class Replay:
    env: dict[str, str]
    result: subprocess.CompletedProcess[str]
    template: Path


def compile_with_shared_instance(out: Path, postgres_env: dict[str, str]) -> Path:
    """`compiler build` of the flagship into `out`, with the project's settings plus the postgres instance."""
    settings = out.parent / "pyproject.toml"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    settings.write_text(with_shared_instance(pyproject, INSTANCE_SETTINGS, postgres_env), encoding="utf-8")
    build = subprocess.run(
        [sys.executable, "-m", "compiler", "build", "--settings", str(settings), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    return out / "air-quality.workflowtemplate.yaml"


def run_local(template: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "compiler",
            "run-local",
            str(template),
            "--scheduled-time",
            TICK,
            "--entrypoint",
            NIGHTLY,
            "--backoff-scale",
            "0",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def open_shared(tmp: Path, pg: dict[str, str]) -> DagsterInstance:
    """The instance as a Dagster UI would open it, from a dagster.yaml written here (not the code under test)."""
    tmp.mkdir(parents=True, exist_ok=True)
    url = (
        f"postgresql+psycopg2://{pg['DAGSTER_PG_USER']}:{pg['DAGSTER_PG_PASSWORD']}@{pg['DAGSTER_PG_HOST']}:"
        f"{pg['DAGSTER_PG_PORT']}/{pg['DAGSTER_PG_DB']}"
    )
    (tmp / "dagster.yaml").write_text(json.dumps({"storage": {"postgres": {"postgres_url": url}}}))
    return DagsterInstance.from_ref(InstanceRef.from_dir(str(tmp)))


@pytest.fixture(scope="module")
def replay(
    tmp_path_factory: pytest.TempPathFactory,
    postgres: PostgresServer,
    seaweed: SeaweedS3,
    _openaq_server_session: OpenAQServer,
) -> Iterator[Replay]:
    """One replay shared by the tests of this module (it takes a while): a fresh database and bucket."""
    server = _openaq_server_session
    server.reset()
    tmp = tmp_path_factory.mktemp("shared-instance")
    database = "replay_shared_instance"
    postgres.create_database(database)
    template = compile_with_shared_instance(tmp / "argo_out", postgres.env(database))
    env = {
        **os.environ,
        **seaweed.env("shared-instance"),
        "OPENAQ_BASE_URL": server.base_url,
        "OPENAQ_API_KEY": server.api_key,
        **postgres.env(database),
    }
    yield Replay(env, run_local(template, env), template)
    server.reset()


def secret_values(env: dict[str, str]) -> list[str]:
    return [env[name] for name in ("OPENAQ_API_KEY", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY", "DAGSTER_PG_PASSWORD")]


def test_each_task_records_a_tagged_run_in_the_shared_instance(replay: Replay, tmp_path: Path) -> None:
    assert replay.result.returncode == 0, replay.result.stdout[-3000:] + replay.result.stderr[-3000:]
    with open_shared(tmp_path, replay.env) as instance:
        runs = instance.get_runs()
        assert len(runs) == len(TASKS)
        workflows = {run.tags.get("argo/workflow") for run in runs}
        assert len(workflows) == 1
        (workflow,) = workflows
        assert workflow is not None
        assert re.fullmatch(r"air-quality-[a-z0-9]{5}", workflow)
        # What a Dagster user does in the UI: filter runs by the workflow tag.
        tagged = instance.get_runs(RunsFilter(tags={"argo/workflow": workflow}))
        assert {run.run_id for run in tagged} == {run.run_id for run in runs}
        assert {run.tags["argo/node"] for run in runs} == set(TASKS)
        assert len({run.tags["argo/pod"] for run in runs}) == len(TASKS)
        assert all(run.tags["argo/pod"].startswith(f"{workflow}-materialize") for run in runs)
        assert len({run.tags["argo/workflow-uid"] for run in runs}) == 1
        for run in runs:
            assert run.status == DagsterRunStatus.SUCCESS
            assert run.tags["dagster/partition"] == day_key(PARTITION)
            assert run.tags["argo/namespace"] == "argo"
            assert run.tags["argo/scheduled-time"] == TICK
            assert run.tags["argo/workflow-url"] == f"{ARGO_UI}/workflows/argo/{workflow}"
            # A replay of the WorkflowTemplate is a manual submit: no CronWorkflow label, so no tag.
            assert "argo/cron-workflow" not in run.tags
            # Each pod materialized exactly its own task's asset.
            (materialization,) = [
                event
                for event in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)
                if event.dagster_event is not None
            ]
            assert materialization.dagster_event is not None
            assert materialization.dagster_event.asset_key == AssetKey(list(TASKS[run.tags["argo/node"]]))


def test_materializations_and_checks_match_a_direct_dagster_run(replay: Replay, tmp_path: Path) -> None:
    assert replay.result.returncode == 0, replay.result.stdout[-3000:]
    with open_shared(tmp_path / "instance-home", replay.env) as instance:
        shared_metadata = {}
        for name in ASSETS:
            record = instance.get_latest_materialization_event(AssetKey(["openaq", name]))
            assert record is not None
            assert record.asset_materialization is not None
            assert record.asset_materialization.partition == day_key(PARTITION)
            shared_metadata[name] = record.asset_materialization.metadata
        evaluations = [
            event.dagster_event.event_specific_data
            for run in instance.get_runs()
            for event in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
            if event.dagster_event is not None
        ]
        shared_checks = {(e.check_name, e.passed) for e in evaluations if isinstance(e, AssetCheckEvaluation)}
        assert len(shared_checks) == len(evaluations)
        stored = [serialize_value(event) for run in instance.get_runs() for event in instance.all_logs(run.run_id)]
        stored += [serialize_value(run) for run in instance.get_runs()]

    direct_env = {name: replay.env[name] for name in ("MINIO_ENDPOINT", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY")}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            **direct_env,
            "MINIO_BUCKET": replay.env["MINIO_BUCKET"],
            "OPENAQ_BASE_URL": replay.env["OPENAQ_BASE_URL"],
            "OPENAQ_API_KEY": replay.env["OPENAQ_API_KEY"],
        }.items():
            patch.setenv(name, value)
        direct = materialize(
            [defs.get_assets_def(["openaq", name]) for name in ASSETS],
            partition_key=day_key(PARTITION),
            resources=defs.resources or {},
            instance=DagsterInstance.ephemeral(),
        )
    assert direct.success
    for name in ASSETS:
        (event,) = [
            e.materialization
            for e in direct.get_asset_materialization_events()
            if e.materialization.asset_key == AssetKey(["openaq", name])
        ]
        assert shared_metadata[name] == event.metadata, name
    assert {"uri", "rows", "bytes", "sha256"} <= set(shared_metadata["measurements_parquet"])
    direct_checks = {(evaluation.check_name, evaluation.passed) for evaluation in direct.get_asset_check_evaluations()}
    assert direct_checks
    assert shared_checks == direct_checks

    # No credential anywhere in what the instance stored: events, metadata, run tags and configs.
    joined = "\n".join(stored)
    assert PARTITION in joined
    for secret in secret_values(replay.env):
        assert secret not in joined


GRAPHQL = """
query ($workflow: String!) {
  assetNodes {
    assetKey { path }
    assetPartitionStatuses {
      ... on MultiPartitionStatuses {
        primaryDimensionName
        ranges {
          primaryDimStartKey
          primaryDimEndKey
          secondaryDim { ... on DefaultPartitionStatuses { materializedPartitions } }
        }
      }
    }
  }
  runsOrError(filter: {tags: [{key: "argo/workflow", value: $workflow}]}) {
    ... on Runs { results { runId status tags { key value } } }
  }
}
"""


def _ask(url: str, workflow: str, deadline: float) -> dict[str, Any]:
    """Ask until the webserver answers with the loaded code location (startup takes a while on 2 cores)."""
    while True:
        try:
            answer = requests.post(url, json={"query": GRAPHQL, "variables": {"workflow": workflow}}, timeout=30)
            data = answer.json().get("data") or {}
            if data.get("assetNodes"):
                return data
        except (requests.ConnectionError, requests.Timeout, ValueError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"dagster-webserver did not serve the code location at {url}")
        time.sleep(1)


@pytest.mark.timeout(300)
def test_the_dagster_webserver_of_the_shared_instance_shows_the_partition_materialized(
    replay: Replay, tmp_path: Path
) -> None:
    """A real `dagster-webserver` on the same database, as a team's Dagster UI would run, asked over GraphQL."""
    assert replay.result.returncode == 0, replay.result.stdout[-3000:]
    with open_shared(tmp_path / "probe", replay.env) as instance:
        workflow = instance.get_runs(limit=1)[0].tags["argo/workflow"]
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text(instance_yaml(), encoding="utf-8")
    (port,) = free_ports(1)
    log = (tmp_path / "webserver.log").open("wb")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster-webserver"),
            *("-w", str(ROOT / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(port)),
        ],
        cwd=ROOT,
        env={**replay.env, "DAGSTER_HOME": str(home)},
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        data = _ask(f"http://127.0.0.1:{port}/graphql", workflow, time.monotonic() + 240)
    finally:
        stop_process_group(process, grace_seconds=10.0)
        log.close()

    statuses = {"/".join(node["assetKey"]["path"]): node["assetPartitionStatuses"] for node in data["assetNodes"]}
    summary = statuses.pop("openaq/daily_summary")  # the code location has it, the nightly tick never builds it
    assert summary["ranges"] == []
    assert set(statuses) == {f"openaq/{name}" for name in ASSETS}
    for grid in statuses.values():  # the date × city grid: the day materialized for the city
        assert grid["primaryDimensionName"] == "date"
        assert grid["ranges"] == [
            {
                "primaryDimStartKey": PARTITION,
                "primaryDimEndKey": PARTITION,
                "secondaryDim": {"materializedPartitions": [CITY.name]},
            }
        ]
    runs = data["runsOrError"]["results"]
    assert len(runs) == len(TASKS)
    assert all(run["status"] == "SUCCESS" for run in runs)
    assert {tag["value"] for run in runs for tag in run["tags"] if tag["key"] == "argo/node"} == set(TASKS)
