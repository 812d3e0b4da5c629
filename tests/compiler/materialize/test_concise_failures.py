"""A failing pod's log says what went wrong in one line per event, not after Dagster's traceback: the flagship's raw
step against the real store with a wrong secret. `--debug` or env COMPILER_DEBUG=1 brings the traceback back."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devservices.openaq_server.app import OpenAQServer
from tests.assets.cities import day_key

ROOT = Path(__file__).resolve().parents[3]
PARTITION = day_key("2026-11-27")
STEP = (sys.executable, "-m", "compiler", "materialize", "--module", "assets")
CAUSE = "rejected the credentials while checking bucket"


def raw_step(*extra: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*STEP, "--asset", "openaq/raw_measurements", "--partition", PARTITION, *extra],
        cwd=ROOT,
        env={**os.environ, "MINIO_SECRET_KEY": "wrong-secret-for-this-test", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_wrong_secret_fails_in_a_few_lines_without_a_traceback(s3_env, openaq_env: OpenAQServer) -> None:
    result = raw_step()
    output = result.stdout + result.stderr
    lines = output.strip().splitlines()
    assert result.returncode == 3, output
    assert "Stack Trace" not in output
    assert not [line for line in lines if line.lstrip().startswith('File "')]
    [step_failure] = [line for line in lines if " - STEP_FAILURE - " in line]
    assert CAUSE in step_failure  # the event line itself says why
    assert "--debug or COMPILER_DEBUG=1" in step_failure
    assert len(lines) <= 15, output  # was 68
    assert CAUSE in lines[-1]
    assert lines[-1].startswith("materialize: FAILED asset=openaq/raw_measurements")


@pytest.mark.parametrize(("extra", "env"), [(("--debug",), {}), ((), {"COMPILER_DEBUG": "1"})])
def test_debug_or_the_env_switch_shows_dagsters_traceback(
    s3_env, openaq_env: OpenAQServer, extra: tuple[str, ...], env: dict[str, str]
) -> None:
    result = raw_step(*extra, **env)
    output = result.stdout + result.stderr
    assert result.returncode == 3, output
    assert "Stack Trace:" in output
    assert CAUSE in output.strip().splitlines()[-1]
