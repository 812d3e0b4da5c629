"""The S3-compatible object store (MinIO, SeaweedFS, AWS S3) as a Dagster resource on the `minio` client."""

import io
import os
import re
import ssl
from collections.abc import Iterator
from datetime import datetime
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import urllib3
from dagster import Backoff, ConfigurableResource, RetryPolicy
from minio import Minio
from minio.error import S3Error
from pydantic import Field, PrivateAttr

from assets.openaq.errors import shown

# S3 error codes that mean "these credentials are not accepted", whatever the server's wording.
_REJECTED_CODES = {"SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied", "InvalidToken"}
_MISSING_CODES = {"NoSuchKey", "NoSuchObject"}
# OpenSSL's reasons for a handshake answered by something that is not TLS (e.g. "HTTP/1.1 400" from a plain store).
_NOT_TLS_REASONS = frozenset(
    {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG", "UNKNOWN_PROTOCOL"}
)
# What a server error the client gave up on means, and what to do (the store did answer: it is not down).
_SERVER_ERRORS = {
    503: "it is running but overloaded or throttling requests (S3 SlowDown); rerun later, or lower the load on it",
    500: "the store failed internally; check its logs, then rerun",
    502: "a proxy in front of the store could not reach it; check the store behind MINIO_ENDPOINT, then rerun",
    504: "a proxy in front of the store timed out waiting for it; check its load, then rerun",
}
_GIVEN_UP_STATUS = re.compile(r"too many (\d{3}) error responses")
# S3 bucket naming rules (3-63 characters, lowercase letters, digits, '.', '-'; starts and ends alphanumeric).
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP_ADDRESS = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
# A streamed object larger than one part goes up as a multipart upload of parts this size, one part in memory at a
# time; S3 makes it visible only when CompleteMultipartUpload succeeds (minio aborts the upload on any error).
STREAM_PART_BYTES = 8 * 1024 * 1024
# The steps that only read and write the store (clean, parquet): a store restarting under a step fails that attempt,
# and this is how often the step tries again, in Dagster and on Argo alike (the compiler maps the policy). Without
# it a failed step would run once, as Dagster runs an asset without a RetryPolicy.
STORE_RETRY_POLICY = RetryPolicy(max_retries=2, delay=10, backoff=Backoff.EXPONENTIAL)
STREAM_READ_BYTES = 1024 * 1024


class ObjectStoreError(RuntimeError):
    """Base class: every message names the endpoint, bucket or key involved and never a secret."""


class ObjectNotFound(ObjectStoreError):
    """The object (or its bucket) does not exist."""


class StoreSettingsError(ObjectStoreError):
    """A setting retrying cannot fix: the endpoint's form, the bucket's name, the credentials, the certificate."""


class StoreMisconfigured(StoreSettingsError):
    """MINIO_ENDPOINT or MINIO_BUCKET is malformed; found before any request."""


class CredentialsRejected(StoreSettingsError):
    """The server refused MINIO_ACCESS_KEY / MINIO_SECRET_KEY."""


class CertificateRejected(StoreSettingsError):
    """The https endpoint's certificate is not trusted (self-signed, private CA, wrong host name)."""


class NotHTTPS(StoreSettingsError):
    """MINIO_ENDPOINT says https, but what answers there does not speak TLS (a plain-http store): every retry fails
    the same way, so it is a setting to fix, not an outage."""


class StoreUnreachable(ObjectStoreError):
    """Nothing answered at MINIO_ENDPOINT within the bounded retries."""


class StoreBusy(StoreUnreachable):
    """The store answered, but with a server error (503 SlowDown: overloaded or throttling) to every attempt; a
    later attempt may succeed, so it stays retryable."""


class ObjectStore(ConfigurableResource):
    """Bytes in and out of one bucket; every write is a single atomic object publish."""

    endpoint: str = Field(description="http://host:port or https://host:port of the S3 API (MINIO_ENDPOINT).")
    access_key: str = Field(description="S3 access key (MINIO_ACCESS_KEY).")
    secret_key: str = Field(description="S3 secret key (MINIO_SECRET_KEY).")
    bucket: str = Field(description="Bucket, created when missing (MINIO_BUCKET).")
    connect_timeout_seconds: float = 3.0
    read_timeout_seconds: float = 60.0
    retries: int = 2

    _client: Minio | None = PrivateAttr(default=None)

    @classmethod
    def from_env(cls) -> "ObjectStore":
        """Build from the MINIO_* variables, naming any that is missing."""
        names = ("MINIO_ENDPOINT", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY", "MINIO_BUCKET")
        missing = [name for name in names if not os.environ.get(name)]
        if missing:
            raise ObjectStoreError(
                f"missing environment variable(s) {', '.join(missing)}: set them to point at an S3-compatible "
                "store (`make dev` prints them for the embedded one)"
            )
        return cls(
            endpoint=os.environ["MINIO_ENDPOINT"],
            access_key=os.environ["MINIO_ACCESS_KEY"],
            secret_key=os.environ["MINIO_SECRET_KEY"],
            bucket=os.environ["MINIO_BUCKET"],
        )

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def client(self) -> Minio:
        if self._client is None:
            self._client = self._build_client()
        return self._client

    def validate_settings(self) -> None:
        """MINIO_ENDPOINT and MINIO_BUCKET have a usable form; no request is sent. Raises StoreMisconfigured."""
        self._endpoint_netloc()
        bucket = self.bucket
        if not _BUCKET_NAME.match(bucket) or ".." in bucket or _IP_ADDRESS.match(bucket):
            value = shown(bucket) if bucket else "empty"
            raise StoreMisconfigured(
                f"MINIO_BUCKET is {value}: an S3 bucket name has 3-63 characters, lowercase letters, digits, '.' "
                "and '-', starts and ends with a letter or digit, and is not an IP address (e.g. air-quality)"
            )

    def _endpoint_netloc(self) -> str:
        parts = urlsplit(self.endpoint.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise StoreMisconfigured(
                f"MINIO_ENDPOINT must look like http://host:port or https://host:port (with the scheme), "
                f"got {shown(self.endpoint)}"
            )
        if parts.username or parts.password:
            raise StoreMisconfigured(
                "MINIO_ENDPOINT must not hold credentials (user:password@); set MINIO_ACCESS_KEY and MINIO_SECRET_KEY"
            )
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise StoreMisconfigured(
                f"MINIO_ENDPOINT {shown(self.endpoint)} has a path; the S3 client addresses a store only at its root "
                f"({parts.scheme}://{parts.netloc}), so a store behind a path prefix cannot be used: point "
                "MINIO_ENDPOINT at the S3 API root (e.g. a separate host name or port for it)"
            )
        return parts.netloc

    def check(self) -> None:
        """Before any other work: the settings' form, then the store answers, accepts the credentials and has (or
        creates) the bucket. StoreSettingsError when retrying cannot help, StoreUnreachable when it may."""
        self.validate_settings()
        self.ensure_bucket()

    def _build_client(self) -> Minio:
        netloc = self._endpoint_netloc()
        parts = urlsplit(self.endpoint.strip())
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=self.connect_timeout_seconds, read=self.read_timeout_seconds),
            retries=urllib3.Retry(total=self.retries, backoff_factor=0.2, status_forcelist=(500, 502, 503, 504)),
            # minio's own convention: SSL_CERT_FILE names the CA bundle that signs a private store's certificate
            ca_certs=os.environ.get("SSL_CERT_FILE") or None,
        )
        return Minio(
            netloc,
            access_key=self.access_key,
            secret_key=self.secret_key,
            secure=parts.scheme == "https",
            http_client=http,
        )

    def ensure_bucket(self) -> None:
        """Create the bucket when it does not exist yet. Pods starting together on a fresh store (a fan-out) all see
        no bucket and all create it: S3 answers the later ones BucketAlreadyOwnedByYou, which means it exists.
        BucketAlreadyExists (another account's bucket) stays an error."""
        self._call("checking bucket", self._exists_or_create)

    def _exists_or_create(self, client: Minio) -> None:
        if client.bucket_exists(self.bucket):
            return
        try:
            client.make_bucket(self.bucket)
        except S3Error as error:
            if error.code != "BucketAlreadyOwnedByYou":
                raise

    def put_bytes(self, key: str, data: bytes, content_type: str) -> str:
        """Publish `data` at `key` in one PUT: readers see the old object or the whole new one. Returns its URI."""
        self.ensure_bucket()
        self._call(
            f"writing {self.uri(key)}",
            lambda c: c.put_object(self.bucket, key, io.BytesIO(data), len(data), content_type=content_type),
        )
        return self.uri(key)

    def put_stream(self, key: str, data: BinaryIO, length: int, content_type: str) -> str:
        """Publish `length` bytes read from `data` at `key` without holding them: one PUT up to one part, else a
        multipart upload that becomes visible only once complete, so readers never see a partial object."""
        self.ensure_bucket()
        self._call(
            f"writing {self.uri(key)}",
            lambda c: c.put_object(
                self.bucket,
                key,
                data,
                length,
                content_type=content_type,
                part_size=STREAM_PART_BYTES,
                num_parallel_uploads=1,  # parallel parts would queue several parts in memory
            ),
        )
        return self.uri(key)

    def iter_chunks(self, key: str, chunk_bytes: int = STREAM_READ_BYTES) -> Iterator[bytes]:
        """The object's bytes in chunks of about `chunk_bytes`, read as they arrive (never the whole object)."""
        response = self._call(f"reading {self.uri(key)}", lambda c: c.get_object(self.bucket, key), key=key)
        try:
            while True:
                try:
                    chunk = response.read(chunk_bytes)
                except urllib3.exceptions.HTTPError as error:
                    raise StoreUnreachable(
                        f"object store at {self.endpoint} cut the answer while reading {self.uri(key)} "
                        f"({type(error).__name__}); rerun the step"
                    ) from None
                if not chunk:
                    return
                yield chunk
        finally:
            response.close()
            response.release_conn()

    def get_bytes(self, key: str) -> bytes:
        def read(c: Minio) -> bytes:
            response = c.get_object(self.bucket, key)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

        result: bytes = self._call(f"reading {self.uri(key)}", read, key=key)
        return result

    def exists(self, key: str) -> bool:
        def stat(c: Minio) -> bool:
            try:
                c.stat_object(self.bucket, key)
            except S3Error as error:
                if error.code in _MISSING_CODES | {"NoSuchBucket"}:
                    return False
                raise
            return True

        found: bool = self._call(f"looking up {self.uri(key)}", stat, key=key)
        return found

    def last_modified(self, key: str) -> datetime | None:
        """When the object at `key` was last published (the store's clock), None when there is none."""

        def stat(c: Minio) -> datetime | None:
            try:
                modified: datetime | None = c.stat_object(self.bucket, key).last_modified
            except S3Error as error:
                if error.code in _MISSING_CODES | {"NoSuchBucket"}:
                    return None
                raise
            return modified

        found: datetime | None = self._call(f"looking up {self.uri(key)}", stat, key=key)
        return found

    def _call(self, action: str, operation: Any, key: str | None = None) -> Any:
        """Run one client operation and translate its failures into errors that say what to do."""
        try:
            return operation(self.client())
        except S3Error as error:
            raise self._translate(action, error, key) from None
        except ValueError as error:  # minio-py's own argument checks (e.g. a bucket name it refuses)
            raise StoreMisconfigured(f"object store settings refused while {action}: {error}") from None
        except urllib3.exceptions.HTTPError as error:
            not_tls = _not_tls_reason(error) if self.endpoint.strip().startswith("https://") else None
            if not_tls is not None:
                raise NotHTTPS(
                    f"the store at {self.endpoint} does not speak https; use http:// or check SSL_CERT_FILE "
                    f"(MINIO_ENDPOINT says https, but the TLS handshake failed with {not_tls} while {action})"
                ) from None
            if _certificate_error(error):
                raise CertificateRejected(
                    f"object store at {self.endpoint} presented a certificate this process does not trust while "
                    f"{action} (self-signed or from a private CA?): set SSL_CERT_FILE to a PEM file with the CA that "
                    "signed it (or the certificate itself), or use the store's publicly trusted address"
                ) from None
            status = _status_given_up_on(error)
            if status is not None:
                raise StoreBusy(
                    f"object store at {self.endpoint} answered HTTP {status} to every attempt ({self.retries + 1}) "
                    f"while {action}: {_SERVER_ERRORS.get(status, 'a server error')}"
                ) from None
            raise StoreUnreachable(
                f"object store at {self.endpoint} did not answer while {action} ({type(error).__name__}); "
                "check MINIO_ENDPOINT and that the store is running"
            ) from None

    def _translate(self, action: str, error: S3Error, key: str | None) -> ObjectStoreError:
        if error.code in _REJECTED_CODES:
            return CredentialsRejected(
                f"object store at {self.endpoint} rejected the credentials while {action} ({error.code}); "
                "check MINIO_ACCESS_KEY and MINIO_SECRET_KEY"
            )
        if error.code in _MISSING_CODES or (error.code == "NoSuchBucket" and key is not None):
            return ObjectNotFound(
                f"no object {key!r} in bucket {self.bucket!r} at {self.endpoint} ({error.code}); "
                "materialize the asset that writes it first"
            )
        return ObjectStoreError(f"object store at {self.endpoint} failed while {action}: {error.code}: {error.message}")


def _chain(error: BaseException) -> Iterator[BaseException]:
    """`error`, then what caused it: urllib3's MaxRetryError.reason, else __cause__ / __context__. Only exceptions
    are followed (ssl.SSLError.reason is a string), and only a few links: never a cycle walked forever."""
    seen: BaseException | None = error
    for _ in range(10):
        if seen is None:
            return
        yield seen
        reason = getattr(seen, "reason", None)
        seen = reason if isinstance(reason, BaseException) else (seen.__cause__ or seen.__context__)


def _certificate_error(error: BaseException) -> bool:
    """Whether an urllib3 failure (possibly wrapped in MaxRetryError) was a rejected TLS certificate."""
    return any(
        isinstance(seen, ssl.SSLCertVerificationError)
        or (isinstance(seen, urllib3.exceptions.SSLError) and "CERTIFICATE_VERIFY_FAILED" in str(seen))
        for seen in _chain(error)
    )


def _not_tls_reason(error: BaseException) -> str | None:
    """OpenSSL's reason when the handshake was answered by something that is not TLS (a plain-http store), else
    None: a certificate problem or a handshake cut off mid-way is not this."""
    for seen in _chain(error):
        reason = getattr(seen, "reason", None) if isinstance(seen, ssl.SSLError) else None
        if isinstance(reason, str) and reason.upper() in _NOT_TLS_REASONS:
            return reason
    return None


def _status_given_up_on(error: BaseException) -> int | None:
    """The HTTP status urllib3's retries gave up on (MaxRetryError caused by ResponseError), None for a transport
    failure: the store then answered every attempt, which is not "did not answer"."""
    for seen in _chain(error):
        if isinstance(seen, urllib3.exceptions.ResponseError):
            found = _GIVEN_UP_STATUS.search(str(seen))
            return int(found.group(1)) if found else None
    return None
