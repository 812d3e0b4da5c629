"""ObjectStore against a real SeaweedFS: buckets, objects, and errors that say what went wrong."""

import threading

import pytest

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


def test_pods_creating_the_bucket_at_once_all_go_on(s3_env: dict[str, str]) -> None:
    # Two pods of a fan-out start on a fresh store: both see no bucket, both create it, and S3 answers the later one
    # BucketAlreadyOwnedByYou. That is the bucket existing, not a store failure (a CI run failed on it).
    errors: list[BaseException] = []
    for round_ in range(5):
        stores = [ObjectStore.from_env().model_copy(update={"bucket": f"{s3_env['MINIO_BUCKET']}-{round_}"})] * 8
        start = threading.Barrier(len(stores))

        def create(store: ObjectStore, start: threading.Barrier = start) -> None:
            start.wait()
            try:
                store.ensure_bucket()
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=create, args=(store,)) for store in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert stores[0].client().bucket_exists(stores[0].bucket)
    assert not errors, errors
