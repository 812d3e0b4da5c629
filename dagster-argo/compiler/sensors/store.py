"""The object store a new-object sensor lists, from environment variables (never a literal credential).

The same variables the project's pods read (`MINIO_ENDPOINT` as `http(s)://host:port`, `MINIO_ACCESS_KEY`,
`MINIO_SECRET_KEY` by default): in `dagster dev` they come from the shell, in the cluster the EventSource gets the
endpoint from `[tool.compiler.config]` and the credentials as `secretKeyRef` from `[tool.compiler.secrets]`.
"""

import os
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from minio import Minio


@dataclass(frozen=True)
class StoreVariables:
    """The names of the environment variables holding the store's endpoint and credentials."""

    endpoint: str = "MINIO_ENDPOINT"
    access_key: str = "MINIO_ACCESS_KEY"
    secret_key: str = "MINIO_SECRET_KEY"  # noqa: S105 - the variable name; its value stays in the environment


@dataclass(frozen=True)
class StoredObject:
    key: str
    etag: str  # without quotes, as S3 notification records carry it
    last_modified: datetime
    size: int


class StoreSettingsError(RuntimeError):
    """A variable is missing or malformed: named, never its value."""


def endpoint_parts(endpoint: str, variable: str) -> tuple[str, bool]:
    """`http(s)://host:port` → (`host:port`, secure)."""
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.username or parts.password:
        raise StoreSettingsError(f"{variable} must look like http://host:port or https://host:port (no credentials)")
    return parts.netloc, parts.scheme == "https"


def client_from_environment(variables: StoreVariables) -> "Minio":
    try:
        from minio import Minio
    except ImportError:
        raise StoreSettingsError(
            "new_object_sensor lists the bucket with minio: pip install 'dagster-argo[events]'"
        ) from None

    missing = [
        name for name in (variables.endpoint, variables.access_key, variables.secret_key) if not os.environ.get(name)
    ]
    if missing:
        raise StoreSettingsError(f"the object store needs {', '.join(missing)} in the environment")
    netloc, secure = endpoint_parts(os.environ[variables.endpoint], variables.endpoint)
    return Minio(
        netloc,
        access_key=os.environ[variables.access_key],
        secret_key=os.environ[variables.secret_key],
        secure=secure,
    )


def list_objects(client: "Minio", bucket: str, prefix: str) -> list[StoredObject]:
    """Every object under the prefix (directory markers included: the rule decides), in (time, key) order."""
    found = [
        StoredObject(
            key=str(item.object_name),
            etag=(item.etag or "").strip('"'),
            last_modified=item.last_modified or datetime.min,
            size=int(item.size or 0),
        )
        for item in client.list_objects(bucket, prefix=prefix or None, recursive=True)
    ]
    return sorted(found, key=lambda o: (o.last_modified, o.key))
