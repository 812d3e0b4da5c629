"""The step on the shared instance: PostgreSQL down or a wrong password fails it before any work, retryably, with
one line and no fallback to a throw-away instance; two steps writing at once is normal operation."""

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from dagster import DagsterInstance, DagsterRunStatus
from dagster._core.instance.ref import InstanceRef

from assets.city import CITY
from assets.measurements_parquet import object_key
from assets.resources.object_store import ObjectStore
from compiler import exit_codes
from devservices.openaq_server.app import OpenAQServer
from devservices.ports import free_ports
from devservices.postgres.server import PostgresServer, start_postgres
from tests.assets.cities import day_key

ROOT = Path(__file__).resolve().parents[3]
DAY = "2026-11-27"
PARTITION = day_key(DAY)  # the flagship's date × city key, in Dagster's own form
STEP = (sys.executable, "-m", "compiler", "materialize", "--module", "assets")


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


RAW_OBJECT = f"dagster/openaq/raw_measurements/city={CITY.name}/date={DAY}.json"
STEP_ENV = {"ARGO_WORKFLOW_UID": "uid-outage-1", "ARGO_NODE": "openaq-raw-measurements"}


def step_losing_its_database(
    server: PostgresServer, database: str, lose: Callable[[], None], pod: str
) -> tuple[subprocess.CompletedProcess[str], float]:
    """The raw step on the shared instance; `lose` is applied to the database once the step has started. Returns
    the result and the seconds from the loss to the end of the pod."""
    env = {
        **os.environ,
        **server.env(database),
        **STEP_ENV,
        "DAGSTER_ARGO_INSTANCE": "postgres",
        "ARGO_WORKFLOW": "air-quality-abcde",
        "ARGO_POD": pod,
    }
    step = subprocess.Popen(
        [*STEP, "--asset", "openaq/raw_measurements", "--partition", PARTITION],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines, lost_at = [], None
    assert step.stdout is not None
    for line in step.stdout:
        lines.append(line)
        if lost_at is None and " - STEP_START - " in line:
            lose()
            lost_at = time.monotonic()
    step.wait(timeout=300)
    assert lost_at is not None, "".join(lines)
    return subprocess.CompletedProcess(step.args, step.returncode, "".join(lines), ""), time.monotonic() - lost_at


@contextlib.contextmanager
def scratch_dir() -> Iterator[Path]:
    """A data directory PostgreSQL can use as `nobody` under root too (as devservices/postgres/fixture.py does)."""
    scratch = Path(tempfile.mkdtemp(prefix="pytest-postgres-"))
    scratch.chmod(0o711)
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def runs_of(server: PostgresServer, database: str, tmp_path: Path) -> list[Any]:
    env = server.env(database)
    url = (
        f"postgresql+psycopg2://{env['DAGSTER_PG_USER']}:{env['DAGSTER_PG_PASSWORD']}@"
        f"{env['DAGSTER_PG_HOST']}:{env['DAGSTER_PG_PORT']}/{env['DAGSTER_PG_DB']}"
    )
    (tmp_path / "dagster.yaml").write_text(f'storage: {{postgres: {{postgres_url: "{url}"}}}}\n')
    with DagsterInstance.from_ref(InstanceRef.from_dir(str(tmp_path))) as instance:
        return [
            (run.tags.get("argo/pod"), run.status, _failure_message(instance, run.run_id))
            for run in reversed(instance.get_runs())
        ]


def _failure_message(instance: DagsterInstance, run_id: str) -> str:
    from dagster import DagsterEventType

    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.RUN_FAILURE).records
    event = records[-1].event_log_entry.dagster_event if records else None
    return str(event.message) if event is not None else ""


def test_a_database_crash_mid_run_is_bounded_named_and_the_record_made_true(
    s3_env: dict[str, str], openaq_env: OpenAQServer, tmp_path: Path
) -> None:
    """PostgreSQL killed while the step runs: the object is still stored whole, the pod ends soon after with one line
    saying so and naming user@host:port/db (exit 1: the next attempt records the run), and that next attempt marks
    the run left STARTED as failed, saying why, before recording its own."""
    with scratch_dir() as scratch:
        _crash_then_retry(scratch / "pg", tmp_path)


def _crash_then_retry(data: Path, tmp_path: Path) -> None:
    server = start_postgres(data)
    try:
        server.create_database("outage")
        result, after_loss = step_losing_its_database(
            server, "outage", lambda: os.killpg(server.process.pid, signal.SIGKILL), "pod-1"
        )
        where = f"{server.user}@127.0.0.1:{server.port}/outage"
    finally:
        server.stop()
    last = result.stdout.strip().splitlines()[-1]
    assert result.returncode == exit_codes.FAILED, result.stdout[-3000:]
    assert last.startswith(f"materialize: FAILED asset=openaq/raw_measurements partition={PARTITION}: ")
    assert f"the asset was materialized and stored; recording the run in {where} failed: " in last
    assert after_loss < 45, result.stdout[-3000:]  # was ~40-60 s of connection retries
    assert json.loads(ObjectStore.from_env().get_bytes(RAW_OBJECT))  # published whole
    assert server.password not in result.stdout

    server = start_postgres(data)  # the database is back (same data, a new port); Argo retries the step
    try:
        retry = materialize_step({**server.env("outage"), **STEP_ENV, "ARGO_POD": "pod-2"}, "openaq/raw_measurements")
        assert retry.returncode == 0, retry.stdout[-3000:]
        assert "marked 1 unfinished run(s) of an earlier attempt failed" in retry.stdout
        runs = runs_of(server, "outage", tmp_path)
    finally:
        server.stop()
    assert [(pod, status) for pod, status, _ in runs] == [
        ("pod-1", DagsterRunStatus.FAILURE),
        ("pod-2", DagsterRunStatus.SUCCESS),
    ]
    assert "pod-1 ended while" in runs[0][2]
    assert "was unreachable" in runs[0][2]


def test_a_hung_database_mid_run_is_bounded_and_never_recorded_as_a_failure_of_stored_data(
    s3_env: dict[str, str], openaq_env: OpenAQServer, tmp_path: Path
) -> None:
    """PostgreSQL stopped (SIGSTOP: it accepts connections and never answers) while the step runs: the pod ends
    within the bound with the same account, and once the database resumes the run is not FAILURE (the data was
    stored): it stays STARTED for the next attempt to mark."""
    with scratch_dir() as scratch:
        _hang(scratch / "pg", tmp_path)


def _hang(data: Path, tmp_path: Path) -> None:
    server = start_postgres(data)
    try:
        server.create_database("hung")
        result, after_loss = step_losing_its_database(
            server, "hung", lambda: os.killpg(server.process.pid, signal.SIGSTOP), "pod-1"
        )
        os.killpg(server.process.pid, signal.SIGCONT)
        runs = runs_of(server, "hung", tmp_path)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, signal.SIGCONT)
        server.stop()
    last = result.stdout.strip().splitlines()[-1]
    assert result.returncode == exit_codes.FAILED, result.stdout[-3000:]
    assert "the asset was materialized and stored; recording the run in " in last
    assert "PostgreSQL did not answer within 10 s" in last
    assert after_loss < 60, result.stdout[-3000:]  # was ~150 s
    assert json.loads(ObjectStore.from_env().get_bytes(RAW_OBJECT))
    assert [(pod, status) for pod, status, _ in runs] == [("pod-1", DagsterRunStatus.STARTED)]
