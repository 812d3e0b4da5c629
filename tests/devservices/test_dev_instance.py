"""`make dev`'s shared instance wiring: dagster dev's DAGSTER_HOME and the replay files point at the same database."""

import stat
from pathlib import Path

import pytest
import yaml

from devservices.dagster_dev import PROJECT_ROOT
from devservices.dev_instance import dev_instance, prepare_replay
from devservices.local_stack import Say
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
