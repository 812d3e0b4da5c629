"""Wait until the session's SeaweedFS takes a real write, not just until its S3 port answers.

`devservices.s3.seaweed` returns once the S3 port answers HTTP; behind it the filer, master and volume server may
still be starting, which on a loaded machine takes long enough for a test's first request to be refused and reported
as "store unreachable". The fixtures in tests/conftest.py and tests/security/conftest.py wait here first: a probe
object in a bucket of its own is written and read back, with a generous deadline, so a slow store delays a test
instead of failing it. The test's own bucket is left untouched (still not created), and the code under test keeps its
own timeouts: what the tests assert is unchanged.
"""

import time

from assets.resources.object_store import ObjectStore, ObjectStoreError, StoreSettingsError
from devservices.s3.seaweed import SeaweedS3

PROBE_BUCKET = "readiness-probe"
PROBE = b"ready"
DEADLINE_SECONDS = 120.0


def wait_until_writable(server: SeaweedS3, deadline_seconds: float = DEADLINE_SECONDS) -> None:
    """Return once a probe object round-trips through `server`; RuntimeError naming the last error when it never
    does within `deadline_seconds` or the server exits. Credentials or settings refused are raised at once."""
    env = server.env(PROBE_BUCKET)
    store = ObjectStore(
        endpoint=env["MINIO_ENDPOINT"],
        access_key=env["MINIO_ACCESS_KEY"],
        secret_key=env["MINIO_SECRET_KEY"],
        bucket=PROBE_BUCKET,
        connect_timeout_seconds=10.0,
        read_timeout_seconds=30.0,
        retries=0,  # this loop retries, with the deadline
    )
    deadline = time.monotonic() + deadline_seconds
    while True:
        try:
            store.put_bytes("probe", PROBE, "application/octet-stream")
            if store.get_bytes("probe") == PROBE:
                return
            problem = "the probe object read back different bytes"
        except StoreSettingsError:
            raise
        except ObjectStoreError as error:
            problem = str(error)
        if not server.is_running():
            raise RuntimeError(f"SeaweedFS exited while waiting for it to take a write; see {server.log_path}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"SeaweedFS took no write within {deadline_seconds:.0f} s: {problem}")
        time.sleep(0.2)
