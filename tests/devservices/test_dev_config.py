"""`make dev` / `make demo` configuration: a half-set store is refused, the port is one that answers.

Real processes: `python -m devservices` as `make` runs it, a real listening socket occupying the port, and for the
busy-port case the real `dagster dev` whose URL is printed and then asked.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from assets.resources.object_store import ObjectStore
from devservices.dev import DEFAULT_PORT
from devservices.s3.seaweed import stop_process_group

ROOT = Path(__file__).resolve().parents[2]
HALF_SET = (
    "error: MINIO_ENDPOINT, MINIO_BUCKET set but MINIO_ACCESS_KEY, MINIO_SECRET_KEY not: set all four MINIO_* to use "
    "your store, or unset them all for the embedded one\n"
)


def _offline_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MINIO_", "OPENAQ_", "DAGSTER_PORT"))}
    return {**env, **extra}


def _devservices(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devservices", command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def occupied_port() -> Iterator[int]:
    """A port on 127.0.0.1 with another program listening on it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


@pytest.mark.parametrize("command", ["demo", "dev"])
def test_a_half_set_store_is_refused_before_anything_starts(command: str) -> None:
    env = _offline_env(MINIO_ENDPOINT="http://127.0.0.1:9", MINIO_BUCKET="mine")
    result = _devservices(command, env)
    assert (result.returncode, result.stderr, result.stdout) == (2, HALF_SET, "")


def test_a_taken_dagster_port_is_refused(occupied_port: int) -> None:
    result = _devservices("dev", _offline_env(DAGSTER_PORT=str(occupied_port)))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"error: DAGSTER_PORT={occupied_port} is in use by another program: choose another port, or unset "
        "DAGSTER_PORT to get a free one\n"
    )


def test_a_dagster_port_that_is_not_a_number_is_refused() -> None:
    result = _devservices("dev", _offline_env(DAGSTER_PORT="30o0"))
    assert (result.returncode, result.stderr) == (2, "error: DAGSTER_PORT='30o0' is not a port number (1-65535)\n")


@pytest.mark.timeout(420)
def test_dev_with_port_3000_taken_serves_on_a_free_port_and_prints_it() -> None:
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        holder.bind(("127.0.0.1", DEFAULT_PORT))
        holder.listen()
    except OSError:  # another program already holds 3000: just as taken
        holder.close()
    dev = subprocess.Popen(
        [sys.executable, "-m", "devservices", "dev"],
        cwd=ROOT,
        env=_offline_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    lines: list[str] = []
    try:
        assert dev.stdout is not None
        deadline = time.monotonic() + 360
        url = None
        while url is None and time.monotonic() < deadline:
            line = dev.stdout.readline().decode(errors="replace")
            if not line and dev.poll() is not None:
                break
            lines.append(line)
            found = re.match(r"==> dagster dev: (http://127\.0\.0\.1:(\d+))  \(Ctrl-C", line)
            url = found.group(1) if found else None
        assert url is not None, "".join(lines)[-3000:]
        assert not url.endswith(f":{DEFAULT_PORT}")
        assert f"port {DEFAULT_PORT} is taken, so a free one; set DAGSTER_PORT to choose" in "".join(lines)
        assert requests.get(f"{url}/server_info", timeout=10).json()["dagster_version"]  # dagster answers there
        os.killpg(dev.pid, signal.SIGINT)
        assert dev.wait(timeout=60) == 0
    finally:
        holder.close()
        if dev.poll() is None:
            stop_process_group(dev, grace_seconds=10)
    with pytest.raises(ProcessLookupError):
        os.killpg(dev.pid, 0)


@pytest.mark.parametrize("command", ["demo", "dev"])
def test_a_misspelt_city_time_zone_is_one_line_and_exit_2(command: str, tmp_path: Path) -> None:
    """The project's own settings are imported first: a bad one stops `make demo` / `make dev` with one line."""
    shutil.copytree(ROOT / "assets", tmp_path / "assets", ignore=shutil.ignore_patterns("__pycache__"))
    city = tmp_path / "assets" / "city.py"
    city.write_text(city.read_text(encoding="utf-8").replace('"Europe/Vienna")', '"Europe/Viena")'), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "devservices", command],
        cwd=tmp_path,  # its assets/ comes first on sys.path
        env={**_offline_env(), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "error: the project failed to import: city 'vienna': timezone 'Europe/Viena' is not an IANA time zone "
        "(for example 'Europe/Vienna') (CitySettingError; --debug shows where)\n"
    )


@pytest.mark.parametrize("command", ["demo", "dev"])
def test_your_store_without_an_api_key_is_refused_so_no_synthetic_data_lands_in_it(
    command: str, s3_env: dict[str, str]
) -> None:
    """All four MINIO_* name a real store but OPENAQ_API_KEY is unset: the data would be the local server's synthetic
    days, published under the production keys of that store. Refused before anything starts; the bucket stays
    untouched (here: never even created)."""
    result = _devservices(command, _offline_env(**s3_env))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"error: MINIO_* name your store (bucket {s3_env['MINIO_BUCKET']} at {s3_env['MINIO_ENDPOINT']}) but "
        "OPENAQ_API_KEY is not set: the local server's SYNTHETIC data would be published under your bucket's "
        "production keys (air_quality/city=.../date=...); set OPENAQ_API_KEY for the live API, or unset MINIO_* "
        "for the embedded store\n"
    )
    assert s3_env["MINIO_SECRET_KEY"] not in result.stderr
    store = ObjectStore.from_env()
    assert not store.client().bucket_exists(store.bucket)
