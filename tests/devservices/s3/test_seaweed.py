"""The embedded SeaweedFS: starts on free ports, enforces credentials, stops without leftovers."""

import io
import os
import subprocess
import sys

import pytest
from minio import Minio
from minio.error import S3Error

from devservices.s3 import S3Credentials, SeaweedS3, running_seaweed


def _client(server: SeaweedS3, secret: str | None = None) -> Minio:
    return Minio(
        server.endpoint.removeprefix("http://"),
        access_key=server.credentials.access_key,
        secret_key=secret if secret is not None else server.credentials.secret_key,
        secure=False,
    )


def test_round_trip_with_the_generated_identity(seaweed: SeaweedS3) -> None:
    client = _client(seaweed)
    client.make_bucket("seaweed-round-trip")
    client.put_object("seaweed-round-trip", "a/b.txt", io.BytesIO(b"hello"), 5)
    assert client.get_object("seaweed-round-trip", "a/b.txt").read() == b"hello"


def test_wrong_secret_is_rejected_by_the_server(seaweed: SeaweedS3) -> None:
    with pytest.raises(S3Error) as caught:
        _client(seaweed, secret="not-the-secret").list_buckets()
    assert caught.value.code == "SignatureDoesNotMatch"


def test_anonymous_requests_are_rejected(seaweed: SeaweedS3) -> None:
    anonymous = Minio(seaweed.endpoint.removeprefix("http://"), secure=False)
    with pytest.raises(S3Error) as caught:
        anonymous.list_buckets()
    assert caught.value.code == "AccessDenied"


def test_secret_is_not_in_the_repr() -> None:
    credentials = S3Credentials(access_key="dev-access", secret_key="super-secret-value")
    assert "super-secret-value" not in repr(credentials)


def test_given_credentials_are_used_and_stop_leaves_no_process(tmp_path) -> None:
    credentials = S3Credentials(access_key="given-access", secret_key="given-secret-123")
    with running_seaweed(tmp_path / "data", credentials) as server:
        pid = server.process.pid
        client = _client(server)
        client.make_bucket("given-credentials")
        assert client.bucket_exists("given-credentials")
    assert server.process.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)


def test_command_line_prints_the_exports_and_stops_on_sigterm(tmp_path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "devservices.s3", "--data-dir", str(tmp_path), "--bucket", "demo-bucket"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        exports = dict(process.stdout.readline().removeprefix("export ").strip().split("=", 1) for _ in range(4))
        assert set(exports) == {"MINIO_ENDPOINT", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY", "MINIO_BUCKET"}
        assert exports["MINIO_BUCKET"] == "demo-bucket"
        assert exports["MINIO_ENDPOINT"].startswith("http://127.0.0.1:")
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert process.returncode == 0
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)


def test_a_session_store_takes_writes_to_many_fresh_buckets(tmp_path) -> None:
    # A test session makes a bucket per test; each bucket is a collection with volumes of its own. With weed mini's
    # own sizing the 75th bucket's first PUT failed ("no free volumes left"), and so did late tests of a full run.
    with running_seaweed(tmp_path) as server:
        client = _client(server)
        for number in range(150):
            bucket = f"many-{number:03d}"
            client.make_bucket(bucket)
            client.put_object(bucket, "k", io.BytesIO(b"x"), 1)
        assert client.get_object("many-149", "k").read() == b"x"
