"""A one-second store outage during the parquet step: the step fails once and its default retryStrategy (every step
has one now, not only assets with a RetryPolicy) runs it again, as Argo would; the night completes."""

import contextlib
import io
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow.parquet as pq
import pytest

from assets.city import CITY
from assets.measurements_parquet import object_key
from assets.openaq.window import day_window_utc
from assets.resources.object_store import ObjectStore
from devservices.openaq_server.app import OpenAQServer
from tests.assets.cities import flagship_node

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "argo_out" / "air-quality.workflowtemplate.yaml"
PARTITION = "2026-11-22"
PARQUET = flagship_node("openaq-measurements-parquet")


class OutageProxy:
    """TCP forwarder to the real store; while `down` is set it resets every new connection, as a restarting store
    does."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.down = threading.Event()
        self.resets = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down.is_set():
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                client.close()
                self.resets += 1
                continue
            server = socket.create_connection(self.upstream)
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=_pump, args=(source, target), daemon=True).start()

    def close(self) -> None:
        self.listener.close()


def _pump(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
    for end in (source, target):
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def proxy(s3_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[OutageProxy]:
    endpoint = urlsplit(s3_env["MINIO_ENDPOINT"])
    outage = OutageProxy((endpoint.hostname or "127.0.0.1", endpoint.port or 80))
    monkeypatch.setenv("MINIO_ENDPOINT", f"http://127.0.0.1:{outage.port}")
    yield outage
    outage.close()


def test_a_transient_store_outage_in_the_parquet_step_is_retried(
    proxy: OutageProxy, openaq_env: OpenAQServer, s3_env: dict[str, str]
) -> None:
    replay = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "compiler",
            "run-local",
            str(TEMPLATE),
            "-p",
            f"partition={PARTITION}",
            "--backoff-scale",
            "0",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    assert replay.stdout is not None
    try:
        for line in replay.stdout:
            lines.append(line)
            if line.startswith(f"▶ {PARQUET}"):
                proxy.down.set()  # the store goes away just as the parquet step starts...
            elif line.startswith(f"↻ {PARQUET}"):
                proxy.down.clear()  # ...and is back by the time Argo's retry runs
        code = replay.wait(timeout=600)
    finally:
        if replay.poll() is None:
            replay.kill()
    output = "".join(lines)

    assert code == 0, output[-4000:]
    assert proxy.resets > 0
    assert f"↻ {PARQUET} attempt 1/3 exit 1; retrying" in output
    assert f"✔ {PARQUET} in" in output
    start, end = day_window_utc(date.fromisoformat(PARTITION), CITY.timezone)
    sensors = openaq_env.city.active_sensor_ids(start, CITY.radius_m)
    expected = sum(openaq_env.city.expected_hours(sensor, start, end) for sensor in sensors)
    published = ObjectStore.from_env().get_bytes(object_key(CITY.name, PARTITION))
    assert pq.read_table(io.BytesIO(published)).num_rows == expected
