"""Dagster's `dg` CLI works on this project as `dagster` does: `dg check defs`, `dg launch`, `dg dev`.

Real processes against the real local services (SeaweedFS, the synthetic OpenAQ server); what `dg launch` publishes
is compared with what the server holds and with the Definitions Dagster itself loads.
"""

import io
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

from assets.city import CITY
from assets.measurements_parquet import object_key
from assets.resources.object_store import ObjectStore
from devservices.openaq_server.app import OpenAQServer
from tests.assets.cities import day_key

ROOT = Path(__file__).resolve().parents[2]
DG = Path(sys.executable).with_name("dg")


def dg(*arguments: str, env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess[str]:
    # VIRTUAL_ENV as an activated venv sets it; without it dg warns that the project's venv is not the active one.
    return subprocess.run(
        [str(DG), *arguments],
        cwd=ROOT,
        env={**env, "VIRTUAL_ENV": str(Path(sys.executable).parent.parent)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_dg_check_defs_loads_the_code_location() -> None:
    result = dg("check", "defs", env=dict(os.environ))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All definitions loaded successfully." in result.stdout + result.stderr
    assert "warning" not in result.stderr.lower()


def test_dg_check_defs_reports_a_broken_setting(tmp_path: Path) -> None:
    """The same check is live: this project with a misspelt time zone in assets/city.py fails it, naming the zone."""
    shutil.copytree(ROOT / "assets", tmp_path / "assets", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    city = tmp_path / "assets" / "city.py"
    city.write_text(city.read_text(encoding="utf-8").replace('"Europe/Vienna")', '"Europe/Viena")'), encoding="utf-8")
    result = subprocess.run(
        [str(DG), "check", "defs", "--use-active-venv"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path), "VIRTUAL_ENV": str(Path(sys.executable).parent.parent)},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode != 0
    assert "city 'vienna': timezone 'Europe/Viena' is not an IANA time zone" in result.stdout + result.stderr


def test_dg_launch_materializes_a_partition_against_the_local_services(
    s3_env: dict[str, str], openaq_env: OpenAQServer, tmp_path: Path
) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home")}
    (tmp_path / "home").mkdir()
    result = dg(
        "launch",
        "--assets",
        "openaq/raw_measurements,openaq/clean_measurements,openaq/measurements_parquet",
        "--partition",
        day_key("2026-11-27"),
        env=env,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    store = ObjectStore(
        endpoint=s3_env["MINIO_ENDPOINT"],
        access_key=s3_env["MINIO_ACCESS_KEY"],
        secret_key=s3_env["MINIO_SECRET_KEY"],
        bucket=s3_env["MINIO_BUCKET"],
    )
    table = pq.read_table(io.BytesIO(store.get_bytes(object_key(CITY.name, "2026-11-27"))))
    # The local day 2026-11-27 in Vienna is 23:00 UTC to 23:00 UTC; the clean server has one row per sensor-hour.
    city = openaq_env.city
    start, end = datetime(2026, 11, 26, 23, tzinfo=UTC), datetime(2026, 11, 27, 23, tzinfo=UTC)
    expected = sum(city.count_hours(s, start, end) for s in city.active_sensor_ids(start, CITY.radius_m))
    assert table.num_rows == expected > 0
