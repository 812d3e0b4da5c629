"""An EnvVar a resource needs, unset in the pod: exit 2 (another attempt has the same environment) with one line
naming the variable, the resource and where the cluster gives it, read from the settings beside the code; never
Dagster's raw "You have attempted to fetch the environment variable ..." text, never a value."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from compiler import exit_codes
from devservices.openaq_server.app import OpenAQServer
from tests.assets.cities import day_key
from tests.compiler.support import SETTINGS_TOML

ROOT = Path(__file__).resolve().parents[3]
DAGSTER_RAW = "You have attempted to fetch"
PROJECT = """
import dagster as dg

class Warehouse(dg.ConfigurableResource):
    token: str
    region: str

@dg.asset
def loaded(warehouse: Warehouse) -> str:
    return warehouse.region

defs = dg.Definitions(
    assets=[loaded],
    resources={"warehouse": Warehouse(token=dg.EnvVar("WAREHOUSE_TOKEN"), region=dg.EnvVar("WAREHOUSE_REGION"))},
)
"""


def step(cwd: Path, module: str, asset: str, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compiler", "materialize", "--module", module, "--asset", asset, *extra],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_flagship_without_its_api_key_names_the_secret_and_is_not_retried(
    s3_env: dict[str, str], openaq_env: OpenAQServer
) -> None:
    env = {name: value for name, value in os.environ.items() if name != "OPENAQ_API_KEY"}
    result = step(ROOT, "assets", "openaq/raw_measurements", env, "--partition", day_key("2026-11-27"))
    output = result.stdout + result.stderr
    last = output.strip().splitlines()[-1]
    assert result.returncode == exit_codes.USAGE, output
    assert last.startswith("materialize: FAILED asset=openaq/raw_measurements")
    assert "environment variable OPENAQ_API_KEY is not set in this pod (resource 'openaq')" in last
    assert "Secret 'openaq' key 'api-key'" in last
    assert DAGSTER_RAW not in output
    assert openaq_env.counters.requests == 0
    for name in ("MINIO_SECRET_KEY", "MINIO_ACCESS_KEY"):
        assert os.environ[name] not in output


def test_a_variable_the_settings_do_not_map_says_so_and_one_without_settings_too(tmp_path: Path) -> None:
    (tmp_path / "warehouse_project.py").write_text(textwrap.dedent(PROJECT), encoding="utf-8")
    settings = SETTINGS_TOML + '\n[tool.compiler.config]\nWAREHOUSE_REGION = "eu"\n'
    settings = settings.replace('config_keys = ["OPENAQ_BASE_URL", "MINIO_ENDPOINT", "MINIO_BUCKET"]', "")
    (tmp_path / "pyproject.toml").write_text(settings, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    env.pop("WAREHOUSE_TOKEN", None)
    env.pop("WAREHOUSE_REGION", None)
    result = step(tmp_path, "warehouse_project", "loaded", env)
    last = result.stdout.strip().splitlines()[-1]
    assert result.returncode == exit_codes.USAGE, result.stdout + result.stderr
    assert "WAREHOUSE_REGION is not set in this pod (resource 'warehouse'); in the cluster it comes from " in last
    assert "ConfigMap 'demo-config' key 'WAREHOUSE_REGION'" in last
    assert "WAREHOUSE_TOKEN is not set in this pod (resource 'warehouse'); [tool.compiler] maps it to nothing" in last
    assert DAGSTER_RAW not in result.stdout + result.stderr

    (tmp_path / "pyproject.toml").unlink()
    result = step(tmp_path, "warehouse_project", "loaded", {**env, "WAREHOUSE_REGION": "eu"})
    last = result.stdout.strip().splitlines()[-1]
    assert result.returncode == exit_codes.USAGE
    assert "WAREHOUSE_TOKEN is not set in this pod (resource 'warehouse'); no [tool.compiler] settings" in last
    assert "WAREHOUSE_REGION" not in last
