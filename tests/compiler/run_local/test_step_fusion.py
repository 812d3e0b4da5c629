"""Step fusion end to end: a fused build replayed with run-local against the real store and OpenAQ server publishes
what the unfused build and Dagster in process publish, and a retried fused task resumes after what it stored."""

import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dagster import DagsterInstance, MultiPartitionKey, materialize

from assets import defs
from assets.city import CITIES, CITY
from assets.measurements_parquet import object_key
from assets.partitions import CITY as CITY_DIMENSION
from assets.partitions import DATE
from assets.resources.object_store import ObjectStore
from compiler.parse import parse_documents
from devservices.dev_instance import with_shared_instance
from devservices.openaq_server.app import OpenAQServer
from devservices.openaq_server.faults import Fault
from devservices.postgres.server import PostgresServer
from tests.compiler.argo_schema import schema_errors
from tests.compiler.run_local.projects import fused_retry

ROOT = Path(__file__).resolve().parents[3]
UNFUSED = ROOT / "argo_out" / "air-quality.workflowtemplate.yaml"
PARTITION = "2026-11-27"  # what the 01:00 Vienna tick on 2026-11-28 materializes, for every city
CITY_DAY = str(MultiPartitionKey({CITY_DIMENSION: CITY.name, DATE: PARTITION}))  # Dagster's date × city key
DAY_PATH = f"city={CITY.name}/date={PARTITION}"  # the IO manager's path of that key
TICK = "2026-11-28T00:00:00Z"
NIGHTLY = "job-air-quality-daily"  # the CronWorkflow's entrypoint: what a tick runs (main also holds the summary)
FUSED_TASK = "openaq-raw-measurements-to-openaq-measurements-parquet"  # one per city, inside the per-key DAG
PER_KEY = rf"each-openaq-raw-measurements\(\d+:{CITY.name}\)"  # how run-local names a task of the per-key DAG
FLAGSHIP = ("raw_measurements", "clean_measurements", "measurements_parquet")
INSTANCE_SETTINGS = """
[tool.compiler.instance]
kind = "postgres"
password = { name = "dagster-postgresql", key = "password" }
"""


def fused_settings(directory: Path, postgres_env: dict[str, str] | None = None) -> Path:
    """The repository's own settings with `fuse_chains = true` (and the shared instance on `postgres_env`)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "\n[tool.compiler]\n" in text
    text = text.replace("\n[tool.compiler]\n", "\n[tool.compiler]\nfuse_chains = true\n")
    if postgres_env is not None:
        text = with_shared_instance(text, INSTANCE_SETTINGS, postgres_env)
    path = directory / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return path


def compiler(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compiler", *arguments],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def build_fused(directory: Path, module: str = "assets", postgres_env: dict[str, str] | None = None) -> Path:
    out = directory / "out"
    settings = fused_settings(directory, postgres_env)
    built = compiler("build", "--module", module, "--settings", str(settings), "--out", str(out))
    assert built.returncode == 0, built.stderr
    [template] = out.glob("*.workflowtemplate.yaml")
    return template


@pytest.fixture(scope="module")
def fused_flagship(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The flagship's fused WorkflowTemplate, built once for the tests that only read it (run-local writes nothing
    beside it): each replays it against its own bucket and server state."""
    return build_fused(tmp_path_factory.mktemp("fused-flagship"))


def objects(store: ObjectStore) -> dict[str, bytes]:
    """Every object of the bucket: what a run published, intermediate values included."""
    client = store.client()
    return {
        item.object_name: store.get_bytes(item.object_name)
        for item in client.list_objects(store.bucket, recursive=True)
        if item.object_name is not None
    }


def succeeded(stdout: str) -> list[str]:
    """The tasks run-local reports done (`✔ <node> in ...`); a per-key DAG's tasks as `each-…(i:key).<task>`."""
    return re.findall(r"^✔ (\S+) in ", stdout, re.MULTILINE)


def use_bucket(monkeypatch: pytest.MonkeyPatch, bucket: str) -> ObjectStore:
    monkeypatch.setenv("MINIO_BUCKET", bucket)
    return ObjectStore.from_env()


def test_a_fused_flagship_tick_publishes_what_the_unfused_build_and_dagster_publish(
    fused_flagship: Path, s3_env: dict[str, str], openaq_env: OpenAQServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = fused_flagship
    for document in parse_documents(template.read_text(encoding="utf-8"), template.name):
        assert schema_errors(document) == []
    assert compiler("validate", *map(str, sorted(template.parent.glob("*.yaml")))).returncode == 0

    fused = compiler(
        "run-local", str(template), "--scheduled-time", TICK, "--entrypoint", NIGHTLY, "--backoff-scale", "0"
    )
    assert fused.returncode == 0, fused.stdout[-3000:] + fused.stderr[-3000:]
    # one pod per city ran the whole chain: the per-key DAG's only task is the fused one
    assert [t for t in succeeded(fused.stdout) if not t.startswith("each-openaq-raw-measurements(")] == []
    assert [t for t in succeeded(fused.stdout) if re.fullmatch(rf"{PER_KEY}\.{FUSED_TASK}", t)] == [
        t for t in succeeded(fused.stdout) if "." in t
    ]
    assert len([t for t in succeeded(fused.stdout) if "." in t]) == len(CITIES)
    published_fused = objects(ObjectStore.from_env())

    bucket = s3_env["MINIO_BUCKET"]
    use_bucket(monkeypatch, f"{bucket}-unfused")
    unfused = compiler(
        "run-local", str(UNFUSED), "--scheduled-time", TICK, "--entrypoint", NIGHTLY, "--backoff-scale", "0"
    )
    assert unfused.returncode == 0, unfused.stdout[-3000:] + unfused.stderr[-3000:]
    assert len([t for t in succeeded(unfused.stdout) if "." in t]) == 3 * len(CITIES)  # three steps per city
    published_unfused = objects(ObjectStore.from_env())

    use_bucket(monkeypatch, f"{bucket}-dagster")
    direct = materialize(
        [defs.get_assets_def(["openaq", name]) for name in FLAGSHIP],
        partition_key=CITY_DAY,
        resources=defs.resources or {},
        instance=DagsterInstance.ephemeral(),
    )
    assert direct.success
    published_direct = objects(ObjectStore.from_env())

    assert len(published_direct) == 3  # raw JSON, clean parquet, the published parquet
    assert published_fused == published_unfused == published_direct


def one_fetch_requests(openaq: OpenAQServer, bucket: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """Dagster's own answer for one fetch of the day: the raw asset materialized once, in process, elsewhere."""
    openaq.counters.reset()
    use_bucket(monkeypatch, bucket)
    once = materialize(
        [defs.get_assets_def(["openaq", "raw_measurements"])],
        partition_key=CITY_DAY,
        resources=defs.resources or {},
        instance=DagsterInstance.ephemeral(),
    )
    assert once.success
    return openaq.counters.requests


@pytest.mark.parametrize("instance", ["ephemeral", "postgres"])
def test_a_retried_fused_task_resumes_after_the_asset_it_already_stored(
    tmp_path: Path,
    s3_env: dict[str, str],
    openaq_env: OpenAQServer,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    instance: str,
) -> None:
    """Ephemeral instance: the IO manager's stored objects tell; shared instance: its materialization records."""
    postgres_env = None
    if instance == "postgres":
        postgres: PostgresServer = request.getfixturevalue("postgres")
        database = f"fused_resume_{s3_env['MINIO_BUCKET'].replace('-', '_')}"
        postgres.create_database(database)
        postgres_env = postgres.env(database)
        for name, value in postgres_env.items():
            monkeypatch.setenv(name, value)
    template = build_fused(tmp_path, fused_retry.__name__, postgres_env)
    replay = compiler("run-local", str(template), "-p", f"partition={PARTITION}", "--backoff-scale", "0")
    output = replay.stdout + replay.stderr
    assert replay.returncode == 0, output[-3000:]
    task = "openaq-raw-measurements-to-openaq-day-report"
    assert re.search(rf"^↻ {PER_KEY}\.{task} attempt 1/3 exit 1; retrying", output, re.M)  # the report failed once
    assert re.search(rf"^✔ {PER_KEY}\.{task} in", output, re.M)
    replay_requests = openaq_env.counters.requests

    store = ObjectStore.from_env()
    marker_key = fused_retry.MARKER.format(city=CITY.name, date=PARTITION)
    failed_at = store.last_modified(marker_key)
    raw_written = store.last_modified(f"dagster/openaq/raw_measurements/{DAY_PATH}.json")
    summary_written = store.last_modified(f"dagster/openaq/day_summary/{DAY_PATH}.json")
    assert failed_at is not None
    assert raw_written is not None
    assert summary_written is not None
    assert raw_written <= failed_at  # the raw day was not written again after the failure
    # the summary has a blocking check and the report after it failed: nothing proves its check passed, so it reran
    assert summary_written > failed_at
    assert store.exists(f"dagster/openaq/day_report/{DAY_PATH}.json")
    assert replay_requests == one_fetch_requests(openaq_env, f"{s3_env['MINIO_BUCKET']}-once", monkeypatch) > 0


def fused_pod(created: str, attempt: str) -> subprocess.CompletedProcess[str]:
    """The flagship's fused pod for the first city, as the fused build writes its command (`--attempt {{retries}}`
    bound by Argo to the attempt number)."""
    return compiler(
        "materialize",
        "--module",
        "assets",
        "--asset",
        ",".join(f"openaq/{name}" for name in FLAGSHIP),
        "--scheduled-time",
        "{{workflow.scheduledTime}}",
        "--created-time",
        created,
        "--partition",
        PARTITION,
        "--static-key",
        CITY.name,
        "--fused",
        "--attempt",
        attempt,
    )


def test_a_first_attempt_computes_the_whole_chain_over_values_stored_since_its_creation_and_a_retry_resumes(
    s3_env: dict[str, str], openaq_env: OpenAQServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mutex-queue case: this workflow was created while the previous run of the pipeline still held the mutex,
    and that run stored the chain's values afterwards. The first attempt (Argo's retries = 0) fetches the day and
    computes every asset as Dagster's own run would; a retry (retries = 1) resumes after the raw day stored since
    the creation (this workflow's, as far as the store can tell) without fetching it again."""
    created = (datetime.now(UTC) - timedelta(seconds=2)).replace(microsecond=0)
    store = ObjectStore.from_env()
    earlier_run = materialize(  # the previous workflow's pod, still writing after this workflow was created
        [defs.get_assets_def(["openaq", name]) for name in FLAGSHIP],
        partition_key=CITY_DAY,
        resources=defs.resources or {},
        instance=DagsterInstance.ephemeral(),
    )
    assert earlier_run.success
    raw_key = f"dagster/openaq/raw_measurements/{DAY_PATH}.json"
    earlier_raw = store.last_modified(raw_key)
    assert earlier_raw is not None
    assert earlier_raw > created  # stored strictly after the creation: a retry would count it as this workflow's
    time.sleep(1.1)  # the store's Last-Modified has one-second resolution: a rewrite must be seen as one

    openaq_env.counters.reset()
    first = fused_pod(created.strftime("%Y-%m-%dT%H:%M:%SZ"), "0")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "resume: first attempt (Argo's retries = 0); running the whole chain" in first.stdout
    first_requests = openaq_env.counters.requests
    rewritten = store.last_modified(raw_key)
    assert rewritten is not None
    assert rewritten > earlier_raw  # the first attempt stored its own raw day
    bucket = s3_env["MINIO_BUCKET"]
    assert first_requests == one_fetch_requests(openaq_env, f"{bucket}-once", monkeypatch) > 0  # Dagster's fetch
    monkeypatch.setenv("MINIO_BUCKET", bucket)

    openaq_env.counters.reset()
    retry = fused_pod(created.strftime("%Y-%m-%dT%H:%M:%SZ"), "1")
    assert retry.returncode == 0, retry.stdout[-3000:] + retry.stderr[-3000:]
    assert "resume: retry 1; openaq/raw_measurements already materialized by this workflow" in retry.stdout
    assert openaq_env.counters.requests == 0  # the raw day was not fetched again
    assert store.last_modified(raw_key) == rewritten
    assert store.exists(object_key(CITY.name, PARTITION))


def test_a_new_workflow_run_computes_the_chain_again(
    fused_flagship: Path, s3_env: dict[str, str], openaq_env: OpenAQServer
) -> None:
    """Resuming is for retries within one workflow: the next run of the same partition fetches again, as unfused."""
    template = fused_flagship
    runs: list[Any] = []
    for _ in range(2):
        openaq_env.counters.reset()
        replay = compiler("run-local", str(template), "-p", f"partition={PARTITION}", "--backoff-scale", "0")
        assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-3000:]
        runs.append(openaq_env.counters.requests)
    assert runs[0] == runs[1] > 0


def test_a_blocking_check_failing_inside_a_fused_task_stops_it_for_good_as_in_dagster(
    fused_flagship: Path, s3_env: dict[str, str], openaq_env: OpenAQServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One hour of data: the clean asset's blocking `day_complete_enough` fails; exit 3, no retry, nothing
    published, the raw day fetched once; Dagster in process fails the same check and publishes nothing either."""
    openaq_env.faults.add(Fault("missing_hours", path="/v3/sensors/*/hours", rows=1, times=None))
    template = fused_flagship
    replay = compiler("run-local", str(template), "-p", f"partition={PARTITION}", "--backoff-scale", "0")
    output = replay.stdout + replay.stderr
    assert replay.returncode == 1, output[-3000:]
    assert re.search(rf"^⊗ {PER_KEY}\.{FUSED_TASK} exit 3: retryStrategy.expression says not to retry", output, re.M)
    assert "day_complete_enough" in output
    replay_requests = openaq_env.counters.requests
    published_key = object_key(CITY.name, PARTITION)
    assert not ObjectStore.from_env().exists(published_key)

    openaq_env.counters.reset()
    store = use_bucket(monkeypatch, f"{s3_env['MINIO_BUCKET']}-dagster")
    direct = materialize(
        [defs.get_assets_def(["openaq", name]) for name in FLAGSHIP],
        partition_key=CITY_DAY,
        resources=defs.resources or {},
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert not direct.success
    failed = [
        evaluation.check_name
        for evaluation in direct.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.blocking
    ]
    assert "day_complete_enough" in failed
    assert not store.exists(published_key)
    assert replay_requests == openaq_env.counters.requests > 0  # the chain ran once: no retry refetched the day
