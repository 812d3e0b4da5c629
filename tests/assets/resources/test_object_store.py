"""ObjectStore against a real SeaweedFS: buckets, objects, and errors that say what went wrong."""

import threading
from urllib.parse import urlsplit

import pytest
from minio import Minio

from assets.resources.object_store import (
    CredentialsRejected,
    ObjectNotFound,
    ObjectStore,
    ObjectStoreError,
    StoreUnreachable,
)
from devservices.ports import free_ports


def test_missing_bucket_is_created_and_bytes_round_trip(s3_env: dict[str, str]) -> None:
    store = ObjectStore.from_env()
    assert not store.client().bucket_exists(store.bucket)
    uri = store.put_bytes("x/y.json", b'{"a": 1}', "application/json")
    assert uri == f"s3://{s3_env['MINIO_BUCKET']}/x/y.json"
    assert store.get_bytes("x/y.json") == b'{"a": 1}'
    assert store.client().stat_object(store.bucket, "x/y.json").content_type == "application/json"


def test_rerun_replaces_the_whole_object(s3_env: dict[str, str]) -> None:
    store = ObjectStore.from_env()
    store.put_bytes("k", b"first version, longer than the second", "text/plain")
    store.put_bytes("k", b"second", "text/plain")
    assert store.get_bytes("k") == b"second"


def test_missing_object_names_bucket_and_key(s3_env: dict[str, str]) -> None:
    store = ObjectStore.from_env()
    store.ensure_bucket()
    with pytest.raises(ObjectNotFound) as caught:
        store.get_bytes("no/such/key.parquet")
    assert s3_env["MINIO_BUCKET"] in str(caught.value)
    assert "no/such/key.parquet" in str(caught.value)
    assert store.exists("no/such/key.parquet") is False


def test_wrong_secret_is_reported_without_the_secret(s3_env: dict[str, str]) -> None:
    wrong_secret = "definitely-wrong-secret-0123"
    store = ObjectStore(
        endpoint=s3_env["MINIO_ENDPOINT"],
        access_key=s3_env["MINIO_ACCESS_KEY"],
        secret_key=wrong_secret,
        bucket=s3_env["MINIO_BUCKET"],
    )
    with pytest.raises(CredentialsRejected) as caught:
        store.put_bytes("k", b"x", "text/plain")
    message = str(caught.value)
    assert "rejected the credentials" in message
    assert wrong_secret not in message
    assert s3_env["MINIO_SECRET_KEY"] not in message


@pytest.mark.timeout(60)  # "no hang": the bounded retries must give up long before this
def test_endpoint_down_fails_fast_naming_the_endpoint() -> None:
    (port,) = free_ports(1)  # nothing listens there once free_ports returns
    endpoint = f"http://127.0.0.1:{port}"
    store = ObjectStore(endpoint=endpoint, access_key="a", secret_key="b", bucket="bucket", retries=1)
    with pytest.raises(StoreUnreachable) as caught:
        store.get_bytes("k")
    assert endpoint in str(caught.value)


def test_missing_environment_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MINIO_ENDPOINT", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY", "MINIO_BUCKET"):
        monkeypatch.setenv(name, "x")
    monkeypatch.delenv("MINIO_BUCKET")
    with pytest.raises(ObjectStoreError, match="MINIO_BUCKET"):
        ObjectStore.from_env()


def test_endpoint_without_scheme_is_rejected_with_the_expected_form() -> None:
    store = ObjectStore(endpoint="127.0.0.1:9000", access_key="a", secret_key="b", bucket="bucket")
    with pytest.raises(ObjectStoreError, match="http://host:port"):
        store.client()


def test_a_pod_creating_the_bucket_another_pod_just_created_goes_on(s3_env: dict[str, str]) -> None:
    # Two pods of a fan-out start on a fresh store: both see no bucket, the first creates it, and S3 answers the
    # later one BucketAlreadyOwnedByYou. That is the bucket existing, not a store failure (a CI run failed on it).
    # The interleaving is made exact rather than left to chance: SeaweedFS's gateway caches a "no such bucket"
    # answer, and a HEAD racing a create can leave that stale entry behind (a server bug; S3 and MinIO have no such
    # cache), which a truly simultaneous start would test instead of this code.
    looked, created = threading.Event(), threading.Event()
    answers: list[bool] = []

    class LateCreator(Minio):
        """The later pod's client: its HEAD answers before the first pod's create, its own create comes after."""

        def bucket_exists(self, bucket_name: str) -> bool:
            exists = super().bucket_exists(bucket_name)
            answers.append(exists)
            looked.set()
            created.wait(timeout=60)
            return exists

    first = ObjectStore.from_env()
    late = ObjectStore.from_env()
    late._client = LateCreator(
        urlsplit(s3_env["MINIO_ENDPOINT"]).netloc,
        access_key=s3_env["MINIO_ACCESS_KEY"],
        secret_key=s3_env["MINIO_SECRET_KEY"],
        secure=False,
    )
    errors: list[BaseException] = []

    def create_late() -> None:
        try:
            late.ensure_bucket()
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=create_late)
    thread.start()
    assert looked.wait(timeout=60)
    first.ensure_bucket()
    created.set()
    thread.join(timeout=60)
    assert answers == [False]  # the later pod saw no bucket, so it did create it after the first pod
    assert not errors, errors
    assert late.put_bytes("k", b"v", "text/plain") == f"s3://{s3_env['MINIO_BUCKET']}/k"
    assert first.get_bytes("k") == b"v"
