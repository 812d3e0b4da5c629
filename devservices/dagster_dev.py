"""`dagster dev` in its own process group, so stopping it leaves no webserver or daemon behind."""

import os
import subprocess
import sys
from pathlib import Path

from devservices.s3.seaweed import stop_process_group

PROJECT_ROOT = Path(__file__).resolve().parent.parent


CLIS = ("dagster", "dg")


def dev_command(cli: str, port: int) -> list[str]:
    """`dagster dev` with workspace.yaml, or Dagster's newer `dg dev`, which reads [tool.dg] in pyproject.toml."""
    binary = str(Path(sys.executable).parent / cli)
    if cli == "dg":
        return [binary, "dev", "-h", "127.0.0.1", "-p", str(port)]
    return [binary, "dev", "-w", str(PROJECT_ROOT / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(port)]


def start_dagster_dev(
    env: dict[str, str], port: int, dagster_home: Path, log_path: Path | None = None, cli: str = "dagster"
) -> subprocess.Popen[bytes]:
    """Start the webserver and daemon on 127.0.0.1:`port` with the pipeline's environment."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    output = log_path.open("wb") if log_path else None
    # VIRTUAL_ENV: `dg` warns unless the project's venv is the active one, which it is (we run its binaries).
    venv = {"VIRTUAL_ENV": str(Path(sys.executable).parent.parent)}
    # A dev UI must not start calling the API on its own: the schedules start stopped here. Imported here, not at
    # the top: `python -m devservices` imports this module before the project, whose settings may fail to import.
    from assets.schedules import SCHEDULES_VARIABLE

    stopped = {SCHEDULES_VARIABLE: "stopped"}
    return subprocess.Popen(
        dev_command(cli, port),
        cwd=PROJECT_ROOT,
        env={**os.environ, **env, **venv, **stopped, "DAGSTER_HOME": str(dagster_home)},
        stdout=output,
        stderr=subprocess.STDOUT if output else None,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop_dagster_dev(process: subprocess.Popen[bytes]) -> None:
    stop_process_group(process, grace_seconds=10.0)
