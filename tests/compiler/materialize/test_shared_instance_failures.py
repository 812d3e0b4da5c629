"""The step on the shared instance: PostgreSQL down or a wrong password fails it before any work, retryably, with
one line and no fallback to a throw-away instance; two steps writing at once is normal operation."""

import os
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dagster import DagsterInstance, DagsterRunStatus
from dagster._core.instance.ref import InstanceRef

from assets.city import CITY
from assets.measurements_parquet import object_key
from assets.resources.object_store import ObjectStore
from compiler import exit_codes
from devservices.openaq_server.app import OpenAQServer
from devservices.ports import free_ports
from tests.assets.cities import day_key

ROOT = Path(__file__).resolve().parents[3]
DAY = "2026-11-27"
PARTITION = day_key(DAY)  # the flagship's date × city key, in Dagster's own form


def materialize_step(env: dict[str, str], asset: str, partition: str = PARTITION) -> subprocess.CompletedProcess[str]:
    """The pod's command with the env the compiler gives a pod on the shared instance (Argo variables filled)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "compiler",
            "materialize",
            "--module",
            "assets",
            "--asset",
            asset,
            "--partition",
            partition,
        ],
        cwd=ROOT,
        env={**os.environ, "DAGSTER_ARGO_INSTANCE": "postgres", "ARGO_WORKFLOW": "air-quality-abcde", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_failed_before_any_work(result: subprocess.CompletedProcess[str], server: OpenAQServer) -> str:
    output = result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert result.returncode == exit_codes.FAILED  # retryable: the database may be back for the next attempt
    assert last.startswith(f"materialize: FAILED asset=openaq/raw_measurements partition={PARTITION}: ")
    assert "shared Dagster instance" in last
    assert server.counters.requests == 0  # not one OpenAQ request
    assert "RUN_START" not in output  # no run at all, on no instance
    assert "STEP_START" not in output
    assert not ObjectStore.from_env().exists(object_key(CITY.name, DAY))
    return last


def test_postgres_down_fails_the_step_before_any_request(
    s3_env: dict[str, str], openaq_env: OpenAQServer, pg_env: dict[str, str]
) -> None:
    (closed_port,) = free_ports(1)
    result = materialize_step({**pg_env, "DAGSTER_PG_PORT": str(closed_port)}, "openaq/raw_measurements")
    last = assert_failed_before_any_work(result, openaq_env)
    assert f"127.0.0.1:{closed_port}" in last
    assert pg_env["DAGSTER_PG_PASSWORD"] not in result.stdout + result.stderr


def test_wrong_password_fails_the_step_before_any_request_and_never_shows_a_password(
    s3_env: dict[str, str], openaq_env: OpenAQServer, pg_env: dict[str, str]
) -> None:
    wrong = "wrong-" + secrets.token_urlsafe(12)
    result = materialize_step({**pg_env, "DAGSTER_PG_PASSWORD": wrong}, "openaq/raw_measurements")
    last = assert_failed_before_any_work(result, openaq_env)
    assert "password authentication failed" in last
    assert wrong not in result.stdout + result.stderr
    assert pg_env["DAGSTER_PG_PASSWORD"] not in result.stdout + result.stderr


def test_missing_connection_setting_is_named(
    s3_env: dict[str, str], openaq_env: OpenAQServer, pg_env: dict[str, str]
) -> None:
    env = {**pg_env, "DAGSTER_PG_HOST": ""}
    result = materialize_step(env, "openaq/raw_measurements")
    last = assert_failed_before_any_work(result, openaq_env)
    assert "DAGSTER_PG_HOST not set" in last


def test_two_steps_writing_at_once_both_land(
    s3_env: dict[str, str], openaq_env: OpenAQServer, pg_env: dict[str, str], tmp_path: Path
) -> None:
    """Two pods starting together on a fresh database (both create Dagster's tables) and writing events at once."""
    partitions = (day_key("2026-11-26"), day_key("2026-11-27"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda p: materialize_step(pg_env, "openaq/raw_measurements", p), partitions))
    for result in results:
        assert result.returncode == 0, result.stdout[-2000:]
    url = (
        f"postgresql+psycopg2://{pg_env['DAGSTER_PG_USER']}:{pg_env['DAGSTER_PG_PASSWORD']}@"
        f"{pg_env['DAGSTER_PG_HOST']}:{pg_env['DAGSTER_PG_PORT']}/{pg_env['DAGSTER_PG_DB']}"
    )
    (tmp_path / "dagster.yaml").write_text(f'storage: {{postgres: {{postgres_url: "{url}"}}}}\n')
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(tmp_path))) as instance:
        runs = instance.get_runs()
        assert sorted(run.tags["dagster/partition"] for run in runs) == list(partitions)
        assert all(run.status == DagsterRunStatus.SUCCESS for run in runs)
        assert all(run.tags["argo/workflow"] == "air-quality-abcde" for run in runs)
