"""Bad store settings are found before the first OpenAQ request, and a setting retrying cannot fix ends the step
with the not-retryable exit code (3). Real SeaweedFS, the real OpenAQ server's request counter, real subprocesses,
and a real TLS endpoint with a self-signed certificate."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from assets.resources.object_store import CertificateRejected, ObjectStore
from compiler import exit_codes
from devservices.openaq_server.app import OpenAQServer
from devservices.s3.seaweed import SeaweedS3
from tests.assets.cities import day_key
from tests.faults.tls_proxy import self_signed_certificate, tls_proxy

REPO = Path(__file__).resolve().parents[2]
PARTITION = "2026-11-13"
MATERIALIZE = [sys.executable, "-m", "compiler", "materialize", "--module", "assets"]


def materialize_raw(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*MATERIALIZE, "--asset", "openaq/raw_measurements", "--partition", day_key(PARTITION)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("MINIO_BUCKET", "Bad_Bucket", "MINIO_BUCKET is 'Bad_Bucket': an S3 bucket name has 3-63 characters"),
        ("MINIO_BUCKET", "ab", "MINIO_BUCKET is 'ab'"),
        ("MINIO_BUCKET", "192.168.1.1", "is not an IP address"),
        ("MINIO_ENDPOINT", "{host_port}", "MINIO_ENDPOINT must look like http://host:port"),
        ("MINIO_ENDPOINT", "{endpoint}/minio", "has a path; the S3 client addresses a store only at its root"),
        ("MINIO_SECRET_KEY", "wrong-secret-7d1c9e", "rejected the credentials"),
        (
            "MINIO_ENDPOINT",
            "{https_endpoint}",
            "{https_endpoint} does not speak https; use http:// or check SSL_CERT_FILE",
        ),
        ("MINIO_BUCKET", "b" * 10_000, "MINIO_BUCKET is 'bbbbbbbbbb"),
    ],
    ids=[
        "bucket-uppercase",
        "bucket-too-short",
        "bucket-ip",
        "endpoint-no-scheme",
        "endpoint-path",
        "wrong-secret",
        "https-to-a-plain-http-store",
        "bucket-10000-characters",
    ],
)
def test_bad_store_setting_fails_before_any_openaq_request_and_is_not_retried(
    s3_env: dict[str, str], openaq_env: OpenAQServer, setting: str, value: str, expected: str
) -> None:
    endpoint = s3_env["MINIO_ENDPOINT"]
    forms = {"endpoint": endpoint, "host_port": urlsplit(endpoint).netloc, "https_endpoint": "https" + endpoint[4:]}
    value, expected = value.format(**forms), expected.format(**forms)
    result = materialize_raw({**os.environ, setting: value})
    last = result.stdout.strip().splitlines()[-1]
    assert result.returncode == exit_codes.FAILED_PERMANENTLY, result.stdout[-2000:]
    assert expected in last
    assert len(last) < 600  # a long value is cut, never echoed whole
    assert "Traceback" not in result.stdout + result.stderr
    assert "(not retryable)" in last
    assert openaq_env.counters.requests == 0  # found before the fetch, not after it
    assert "wrong-secret-7d1c9e" not in result.stdout + result.stderr
    assert s3_env["MINIO_SECRET_KEY"] not in result.stdout + result.stderr


def test_an_empty_bucket_setting_stops_before_any_request(s3_env: dict[str, str], openaq_env: OpenAQServer) -> None:
    result = materialize_raw({**os.environ, "MINIO_BUCKET": ""})
    assert result.returncode != 0
    assert "MINIO_BUCKET" in result.stdout.strip().splitlines()[-1]
    assert openaq_env.counters.requests == 0


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    try:
        return self_signed_certificate(tmp_path)
    except FileNotFoundError:
        pytest.skip("the openssl CLI is needed to make a self-signed certificate")


def test_a_self_signed_certificate_is_named_with_how_to_trust_it_and_trusting_it_works(
    seaweed: SeaweedS3, s3_env: dict[str, str], certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream = urlsplit(seaweed.endpoint)
    cert, key = certificate
    with tls_proxy((upstream.hostname or "127.0.0.1", upstream.port or 80), cert, key) as https_endpoint:
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        untrusting = _store(s3_env, https_endpoint, retries=0)
        with pytest.raises(CertificateRejected) as rejected:
            untrusting.check()
        message = str(rejected.value)
        assert "certificate" in message
        assert "SSL_CERT_FILE" in message
        assert "did not answer" not in message

        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        trusting = _store(s3_env, https_endpoint)
        trusting.check()
        trusting.put_bytes("tls/probe.txt", b"over TLS", "text/plain")
        assert trusting.get_bytes("tls/probe.txt") == b"over TLS"


def _store(env: dict[str, str], endpoint: str, retries: int = 2) -> ObjectStore:
    return ObjectStore(
        endpoint=endpoint,
        access_key=env["MINIO_ACCESS_KEY"],
        secret_key=env["MINIO_SECRET_KEY"],
        bucket=env["MINIO_BUCKET"],
        retries=retries,
    )
