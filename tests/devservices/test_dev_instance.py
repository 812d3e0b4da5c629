"""`make dev`'s shared instance wiring: dagster dev's DAGSTER_HOME and the replay files point at the same database."""

import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from assets.city import CITY
from assets.daily_summary import summary_key
from assets.measurements_parquet import object_key
from assets.resources.object_store import ObjectStore
from devservices.dagster_dev import PROJECT_ROOT
from devservices.dev_instance import dev_instance, prepare_replay
from devservices.local_stack import Say
from devservices.openaq_server.app import OpenAQServer
from devservices.postgres.server import PostgresServer


def test_a_named_server_is_used_and_the_replay_targets_it(
    postgres: PostgresServer, pg_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in pg_env.items():
        monkeypatch.setenv(name, value)
    home = tmp_path / "dagster_home"
    with dev_instance(tmp_path, home, Say()) as env:
        assert env == pg_env  # the environment's server, no embedded one started
        assert not (tmp_path / "postgres").exists()
        storage = yaml.safe_load((home / "dagster.yaml").read_text())["storage"]["postgres"]["postgres_db"]
        assert storage["password"] == {"env": "DAGSTER_PG_PASSWORD"}  # read from the environment, never written
        prepare_replay(tmp_path, PROJECT_ROOT, {**env, "OPENAQ_API_KEY": "k"}, Say())
    assert pg_env["DAGSTER_PG_PASSWORD"] not in (home / "dagster.yaml").read_text()
    env_file = tmp_path / "run-local.env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert f"export DAGSTER_PG_PORT={pg_env['DAGSTER_PG_PORT']}" in env_file.read_text().splitlines()
    template = (tmp_path / "argo_out" / "air-quality.workflowtemplate.yaml").read_text()
    assert '"DAGSTER_ARGO_INSTANCE"' in template
    assert pg_env["DAGSTER_PG_PASSWORD"] not in template


@pytest.mark.timeout(400)
def test_the_printed_replay_command_works_as_copied_outside_the_venv(
    pg_env: dict[str, str], s3_env: dict[str, str], openaq_env: OpenAQServer, tmp_path: Path
) -> None:
    """The command `make dev` prints is pasted into a shell whose PATH knows no venv (a new terminal): it must name
    the venv's interpreter, not a bare `python`. Run exactly as printed, it replays the day into the instance."""
    said: list[str] = []
    env = {**pg_env, **s3_env, "OPENAQ_API_KEY": openaq_env.api_key, "OPENAQ_BASE_URL": openaq_env.base_url}
    prepare_replay(tmp_path, PROJECT_ROOT, env, said.append)
    (line,) = [line for line in said if line.startswith("replay into this UI: ")]
    command = line.removeprefix("replay into this UI: ")
    assert " python " not in f" {command} "  # never the bare name a fresh shell may resolve to anything
    shell_env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}  # no venv, nothing exported
    replay = subprocess.run(
        ["bash", "-c", command], cwd=PROJECT_ROOT, env=shell_env, capture_output=True, text=True, timeout=380
    )
    assert replay.returncode == 0, (replay.stdout + replay.stderr)[-4000:]
    assert "run-local: 4 succeeded" in replay.stdout  # raw, clean, parquet and the day's summary (main)
    store = ObjectStore.from_env()
    assert store.exists(object_key(CITY.name, "2026-11-27"))
    assert store.exists(summary_key(CITY.name, "2026-11-27"))
