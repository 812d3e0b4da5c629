"""Object-store faults: a clear error naming the setting, and the published parquet is the previous complete object
or the new complete one, never a part. Credential rejection at the resource level: tests/assets/resources/."""

import hashlib
import io
import os
import signal
from pathlib import Path
from typing import BinaryIO, cast
from urllib.parse import urlsplit

import pytest
import urllib3

from assets.resources.object_store import ObjectStore, StoreUnreachable
from devservices.openaq_server.app import OpenAQServer
from devservices.ports import free_ports
from devservices.s3.seaweed import SeaweedS3, running_seaweed
from tests.faults.pipeline import failed_steps, failure_message, published, published_key, run_pipeline
from tests.faults.throttling_proxy import throttling_proxy

PREVIOUS = b"previous complete object, published by an earlier night"


@pytest.fixture
def pipeline_env(s3_env: dict[str, str], openaq_env: OpenAQServer) -> OpenAQServer:
    return openaq_env


def test_store_down_before_the_run_names_the_endpoint_and_the_fix_and_a_rerun_completes(
    s3_env: dict[str, str], openaq_env: OpenAQServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    [closed_port] = free_ports(1)  # nothing listens there once free_ports returns
    endpoint = f"http://127.0.0.1:{closed_port}"
    for name, value in {
        "MINIO_ENDPOINT": endpoint,
        "MINIO_ACCESS_KEY": "unused-access",
        "MINIO_SECRET_KEY": "unused-secret-5e2a",
        "MINIO_BUCKET": "nowhere",
    }.items():
        monkeypatch.setenv(name, value)

    result = run_pipeline("2026-11-17")

    assert not result.success
    message = failure_message(result)
    assert f"object store at {endpoint} did not answer" in message
    assert "check MINIO_ENDPOINT and that the store is running" in message
    assert "unused-secret-5e2a" not in message
    assert failed_steps(result) == {"openaq__raw_measurements"}  # the first write fails; nothing runs after it

    for name, value in s3_env.items():  # the store is back
        monkeypatch.setenv(name, value)
    assert run_pipeline("2026-11-17").success
    assert published("2026-11-17") is not None


def test_wrong_credentials_fail_clearly_keep_the_previous_object_and_a_fixed_rerun_completes(
    pipeline_env: OpenAQServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ObjectStore.from_env().put_bytes(published_key("2026-11-18"), PREVIOUS, "application/octet-stream")
    right_secret = os.environ["MINIO_SECRET_KEY"]
    monkeypatch.setenv("MINIO_SECRET_KEY", "wrong-secret-91d7")

    result = run_pipeline("2026-11-18")

    assert not result.success
    message = failure_message(result)
    assert "rejected the credentials" in message
    assert "check MINIO_ACCESS_KEY and MINIO_SECRET_KEY" in message
    assert "wrong-secret-91d7" not in message
    monkeypatch.setenv("MINIO_SECRET_KEY", right_secret)
    assert published("2026-11-18") == PREVIOUS

    assert run_pipeline("2026-11-18").success
    fixed = published("2026-11-18")
    assert fixed is not None
    assert fixed[:4] == b"PAR1"


def test_missing_upstream_object_names_the_asset_and_what_to_run(pipeline_env: OpenAQServer) -> None:
    result = run_pipeline("2026-11-19", asset_paths=("openaq/clean_measurements",))
    assert not result.success
    message = failure_message(result)
    assert "asset openaq/raw_measurements has no stored json value" in message
    assert "dagster/openaq/raw_measurements/city=vienna/date=2026-11-19.json" in message
    assert "materialize it for this partition first" in message
    assert pipeline_env.counters.requests == 0
    assert published("2026-11-19") is None


class _KillHalfway(io.RawIOBase):
    """A payload stream that SIGKILLs the store once half of it has been sent: a crash in the middle of an upload."""

    def __init__(self, data: bytes, server: SeaweedS3) -> None:
        self._data, self._position, self._server = data, 0, server

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._position >= len(self._data) // 2 and self._server.is_running():
            os.killpg(self._server.process.pid, signal.SIGKILL)
            self._server.process.wait()
        size = len(self._data) - self._position if size < 0 else size
        chunk = self._data[self._position : self._position + size]
        self._position += len(chunk)
        return chunk


def _store_for(server: SeaweedS3, bucket: str) -> ObjectStore:
    env = server.env(bucket)
    return ObjectStore(
        endpoint=env["MINIO_ENDPOINT"],
        access_key=env["MINIO_ACCESS_KEY"],
        secret_key=env["MINIO_SECRET_KEY"],
        bucket=bucket,
        retries=0,
    )


def test_store_killed_mid_upload_leaves_the_previous_object_and_a_rerun_completes(
    openaq_env: OpenAQServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """12 MiB goes up as 5 MiB parts, so the kill lands after part 1 reached the server: truly mid-upload.

    (A single PUT is read whole before it is sent, so it cannot be cut by the stream; S3 makes it atomic anyway.)
    """
    data_dir = tmp_path / "seaweed"
    key = published_key("2026-11-20")
    new = hashlib.sha256(b"seed").digest() * (12 * 1024 * 1024 // 32)
    with running_seaweed(data_dir) as first:
        store = _store_for(first, "crash")
        store.put_bytes(key, PREVIOUS, "application/octet-stream")
        with pytest.raises(urllib3.exceptions.HTTPError):
            store.client().put_object("crash", key, cast(BinaryIO, _KillHalfway(new, first)), len(new))
        assert not first.is_running()
        with pytest.raises(StoreUnreachable, match="check MINIO_ENDPOINT"):
            store.get_bytes(key)
        credentials = first.credentials

    with running_seaweed(data_dir, credentials) as second:  # same data, new process (and ports)
        assert _store_for(second, "crash").get_bytes(key) == PREVIOUS
        for name, value in second.env("crash").items():
            monkeypatch.setenv(name, value)
        assert run_pipeline("2026-11-20").success
        rerun = published("2026-11-20")
        assert rerun is not None
        assert rerun != PREVIOUS
        assert rerun[:4] == rerun[-4:] == b"PAR1"  # a whole parquet file: magic at both ends


def test_a_store_throttling_every_put_is_named_busy_not_down(
    seaweed: SeaweedS3, pipeline_env: OpenAQServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """503 SlowDown on every PUT (an S3 under load): the store answers, so "did not answer ... check that the store
    is running" would send the operator the wrong way; the message says it is throttling, and what to do."""
    upstream = urlsplit(seaweed.endpoint)
    counts: dict[str, int] = {}
    with throttling_proxy((upstream.hostname or "127.0.0.1", upstream.port or 80), {"PUT"}, counts) as endpoint:
        monkeypatch.setenv("MINIO_ENDPOINT", endpoint)
        result = run_pipeline("2026-11-21")
    assert not result.success
    message = failure_message(result)
    assert f"object store at {endpoint} answered HTTP 503 to every attempt" in message
    assert "overloaded or throttling requests" in message
    assert "did not answer" not in message
    assert "check that the store is running" not in message
    assert counts["PUT"] == 3  # the client's bounded retries (2) were spent, then it said so
