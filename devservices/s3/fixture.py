"""Pytest plugin: one real SeaweedFS S3 server per test session, a fresh bucket per test."""

import itertools
import secrets
from collections.abc import Iterator

import pytest

from devservices.s3.seaweed import SeaweedS3, running_seaweed

_bucket_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    """A `weed mini` on free loopback ports with generated credentials, stopped after the session."""
    with running_seaweed(tmp_path_factory.mktemp("seaweed")) as server:
        yield server


@pytest.fixture
def s3_env(seaweed: SeaweedS3, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """MINIO_* variables for a bucket no other test uses (not yet created), set in os.environ for the test."""
    bucket = f"test-{next(_bucket_numbers)}-{secrets.token_hex(4)}"
    env = seaweed.env(bucket)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env
