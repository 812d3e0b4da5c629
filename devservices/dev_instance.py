"""`make dev`'s shared Dagster instance: PostgreSQL under `.dev/`, used by `dagster dev` and by run-local replays.

The embedded server (devservices/postgres/) keeps its data in `.dev/postgres`, beside the object store's
`.dev/seaweed`, so Dagster's history and the objects it describes persist (and are reset) together. When the
environment names a server (all of DAGSTER_PG_HOST, _PORT, _DB, _USER, _PASSWORD) that one is used instead.

For replays, `.dev/argo_out/` holds the flagship compiled with `[tool.compiler.instance] kind = "postgres"` and
`.dev/run-local.env` (0600, dev-only generated credentials) the variables run-local maps to its
secretKeyRef/configMapKeyRef entries; the replayed runs then appear in the same UI as runs launched from it.
"""

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

from compiler.instance_settings import PG_CONFIG_KEYS, PG_PASSWORD_ENV
from compiler.materialize.instance import instance_yaml
from devservices.postgres.server import running_postgres

PG_VARIABLES = (*PG_CONFIG_KEYS, PG_PASSWORD_ENV)
DEV_INSTANCE_SETTINGS = """
[tool.compiler.instance]
kind = "postgres"
password = { name = "dagster-postgresql", key = "password" }
"""


def uses_given_postgres() -> bool:
    return all(os.environ.get(name) for name in PG_VARIABLES)


@contextmanager
def dev_instance(dev_dir: Path, dagster_home: Path, say: Callable[[str], None]) -> Iterator[dict[str, str]]:
    """Yield the DAGSTER_PG_* variables; `dagster_home` gets the shared instance's dagster.yaml."""
    with ExitStack() as stack:
        if uses_given_postgres():
            env = {name: os.environ[name] for name in PG_VARIABLES}
            say(f"Dagster instance: PostgreSQL at {env['DAGSTER_PG_HOST']}:{env['DAGSTER_PG_PORT']} (from environment)")
        else:
            server = stack.enter_context(running_postgres(dev_dir / "postgres"))
            env = server.env()
            say(f"Dagster instance: embedded PostgreSQL on 127.0.0.1:{server.port} (data in {server.data_dir})")
            if server.staged_in is not None:
                say(
                    f"Dagster instance: under root PostgreSQL runs as nobody, who cannot reach {server.data_dir}: it "
                    f"runs from a copy in {server.staged_in}, copied back when make dev stops"
                )
        dagster_home.mkdir(parents=True, exist_ok=True)
        (dagster_home / "dagster.yaml").write_text(instance_yaml(), encoding="utf-8")
        yield env


def with_shared_instance(pyproject: str, instance_table: str, env: Mapping[str, str]) -> str:
    """The flagship's settings plus `instance_table`; its ConfigMap values (`[tool.compiler.config]`, when present)
    gain the instance's connection from `env`, since the emitted ConfigMap is what pods read it from."""
    header = "[tool.compiler.config]\n"
    if header in pyproject:
        connection = "".join(f"{key} = {json.dumps(env.get(key, ''))}\n" for key in PG_CONFIG_KEYS)
        pyproject = pyproject.replace(header, header + connection, 1)
    return pyproject + instance_table


def prepare_replay(dev_dir: Path, project_root: Path, env: dict[str, str], say: Callable[[str], None]) -> None:
    """Compile the flagship for the shared instance into `.dev/argo_out` and write the replay's env file."""
    settings = dev_dir / "pyproject.toml"
    settings.write_text(
        with_shared_instance((project_root / "pyproject.toml").read_text(encoding="utf-8"), DEV_INSTANCE_SETTINGS, env),
        encoding="utf-8",
    )
    out = dev_dir / "argo_out"
    subprocess.run(
        [sys.executable, "-m", "compiler", "build", "--settings", str(settings), "--out", str(out)],
        cwd=project_root,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    env_file = dev_dir / "run-local.env"
    fd = os.open(env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.writelines(f"export {name}={shlex.quote(value)}\n" for name, value in sorted(env.items()))
    template = _shown(out / "air-quality.workflowtemplate.yaml", project_root)
    # This interpreter (the venv's), not a bare `python`: a new terminal has no venv on its PATH.
    python = _shown(Path(os.path.abspath(sys.executable)), project_root)
    say(
        f"replay into this UI: set -a; . {_shown(env_file, project_root)}; set +a; "
        f"{python} -m compiler run-local {template} --scheduled-time 2026-11-28T00:00:00Z"
    )


def _shown(path: Path, project_root: Path) -> str:
    """Relative to the project when inside it (what a person types from there), quoted for a shell."""
    return shlex.quote(str(path.relative_to(project_root)) if path.is_relative_to(project_root) else str(path))
