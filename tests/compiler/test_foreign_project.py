"""Issue 24's acceptance: another team's project, as `create-dagster project` makes it, compiled by the wheel alone.

An empty virtualenv gets the dagster-argo wheel built here from dagster-argo/, Dagster and dagster-aws at the lock's
versions, and the scaffolded project (tests/compiler/projects/scaffolded/weather_lab: `@dg.definitions` returning
`load_from_defs_folder`, three assets under defs/, dagster-aws's S3PickleIOManager). In that venv, from the project's
folder: `build` with no --module finds the code location from [tool.dg.project], `validate` passes, and `run-local`
of the job's DAG stores every asset in the session's real SeaweedFS. Dagster in process (the same venv, the same
project) materializes the same job under another prefix; both prefixes must hold the same keys with the same values.
Skipped only when pip cannot reach the package registry.
"""

import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml
from minio import Minio

from devservices.s3.seaweed import SeaweedS3
from tests.compiler.distribution import build_wheel
from tests.compiler.support import REPO

FIXTURE = REPO / "tests" / "compiler" / "projects" / "scaffolded" / "weather_lab"
PINS = ("dagster==1.13.27", "dagster-aws==0.29.27")  # the lock's Dagster release and its dagster-aws
ASSETS = ("station_readings", "fahrenheit_readings", "warmest_station")
# What a user adds below the section `python -m compiler init` wrote, after reviewing it: where the pods' S3
# settings come from (init cannot know the IO manager's variables; it leaves these as comments).
USER_SETTINGS = """
config_map = "weather-lab-config"
config_keys = ["S3_ENDPOINT_URL", "S3_BUCKET", "S3_PREFIX"]

[tool.compiler.env]
HOME = "/tmp"

[tool.compiler.secrets]
AWS_ACCESS_KEY_ID = { name = "s3-credentials", key = "access-key" }
AWS_SECRET_ACCESS_KEY = { name = "s3-credentials", key = "secret-key" }
"""
NETWORK_TROUBLE = (
    "Could not find a version",
    "No matching distribution",
    "NewConnectionError",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "ConnectTimeout",
    "ReadTimeoutError",
)


def _run(argv: list[str], cwd: Path, env: Mapping[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the venv's python, the project's folder): wheel, pins and project installed into a fresh `python -m venv`."""
    root = tmp_path_factory.mktemp("foreign")
    wheel = build_wheel(root / "dist")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    project = root / "weather_lab"
    shutil.copytree(FIXTURE, project, ignore=shutil.ignore_patterns("__pycache__"))
    pip = [str(python), "-m", "pip", "install", "--quiet", "--constraint", str(REPO / "requirements.lock")]
    done = _run([*pip, str(wheel), *PINS, str(project)], root, os.environ, timeout=900)
    if done.returncode != 0 and any(trouble in done.stdout + done.stderr for trouble in NETWORK_TROUBLE):
        pytest.skip(f"pip cannot reach the package registry to install {', '.join(PINS)}: {done.stderr[-300:]}")
    assert done.returncode == 0, done.stdout + done.stderr
    initialised = _run([str(python), "-m", "compiler", "init"], project, os.environ)
    assert initialised.returncode == 0, initialised.stdout + initialised.stderr
    with (project / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write(USER_SETTINGS)
    return python, project


def _env(python: Path, seaweed: SeaweedS3, bucket: str, prefix: str) -> dict[str, str]:
    """What a user's shell has: the venv first on PATH, the store's settings and credentials, nothing of ours."""
    essentials = {name: os.environ[name] for name in ("LANG", "LC_ALL", "TMPDIR") if name in os.environ}
    path = f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return {
        **essentials,
        "PATH": path,
        "VIRTUAL_ENV": str(python.parent.parent),
        "S3_ENDPOINT_URL": seaweed.endpoint,
        "AWS_ACCESS_KEY_ID": seaweed.credentials.access_key,
        "AWS_SECRET_ACCESS_KEY": seaweed.credentials.secret_key,
        "S3_BUCKET": bucket,
        "S3_PREFIX": prefix,
    }


IN_PROCESS = """
import dagster as dg
from weather_lab.definitions import defs

result = defs().resolve_job_def("weather_job").execute_in_process(instance=dg.DagsterInstance.ephemeral())
assert result.success
"""


def _stored(client: Minio, bucket: str, prefix: str) -> dict[str, object]:
    """Key (below the prefix) → unpickled value, for every object S3PickleIOManager wrote under `prefix`."""
    values: dict[str, object] = {}
    for item in client.list_objects(bucket, prefix=f"{prefix}/", recursive=True):
        name = str(item.object_name)
        response = client.get_object(bucket, name)
        try:
            values[name.removeprefix(f"{prefix}/")] = pickle.loads(response.read())  # noqa: S301 (our own values)
        finally:
            response.close()
            response.release_conn()
    return values


@pytest.mark.timeout(1200)
def test_a_scaffolded_project_compiles_validates_and_replays_into_s3(
    installed: tuple[Path, Path], seaweed: SeaweedS3
) -> None:
    python, project = installed
    bucket = "weather-lab"
    client = Minio(
        seaweed.endpoint.split("://", 1)[1],
        access_key=seaweed.credentials.access_key,
        secret_key=seaweed.credentials.secret_key,
        secure=False,
    )
    if not client.bucket_exists(bucket):
        client.make_bucket(bucket)
    argo_env = _env(python, seaweed, bucket, "argo")

    built = _run([str(python), "-m", "compiler", "build"], project, argo_env)
    assert built.returncode == 0, built.stderr
    assert "Traceback" not in built.stderr
    template = project / "argo_out" / "weather-lab.workflowtemplate.yaml"
    text = template.read_text(encoding="utf-8")
    assert '- "--module"\n          - "weather_lab.definitions"' in text  # [tool.dg.project]: <root_module>.definitions
    assert seaweed.credentials.secret_key not in text
    assert seaweed.credentials.access_key not in text

    manifests = sorted(str(path) for path in (project / "argo_out").glob("*.yaml"))
    validated = _run([str(python), "-m", "compiler", "validate", *manifests], project, argo_env)
    assert validated.returncode == 0, validated.stdout + validated.stderr

    # the job's DAG `job-<name>`: the entrypoint its schedule's CronWorkflow runs
    cron = yaml.safe_load((project / "argo_out" / "weather-lab-weather-job-schedule.cronworkflow.yaml").read_text())
    entrypoint = cron["spec"]["workflowSpec"]["entrypoint"]
    replayed = _run(
        [str(python), "-m", "compiler", "run-local", str(template), "--entrypoint", entrypoint],
        project,
        argo_env,
        timeout=600,
    )
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert seaweed.credentials.secret_key not in replayed.stdout + replayed.stderr

    direct = _run([str(python), "-c", IN_PROCESS], project, _env(python, seaweed, bucket, "in-process"))
    assert direct.returncode == 0, direct.stdout + direct.stderr

    by_argo, by_dagster = _stored(client, bucket, "argo"), _stored(client, bucket, "in-process")
    assert set(by_dagster) == set(ASSETS)
    assert by_argo == by_dagster
    assert by_argo["warmest_station"] == "south"
