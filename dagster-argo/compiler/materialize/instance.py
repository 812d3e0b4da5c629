"""The Dagster instance a pod's run is recorded in: throw-away by default, the shared PostgreSQL one when asked.

`DAGSTER_ARGO_INSTANCE=postgres` (emitted by the compiler for `[tool.compiler.instance] kind = "postgres"`) makes
the step use the shared instance, built from `dagster.yaml` text that reads every connection value from the
environment (ConfigMap keys, the password from a Secret), so no credential is ever written anywhere. The instance is
opened and its storage reached before any work: PostgreSQL down or a wrong password fails the step with one line
(retryable), and there is no fallback to a throw-away instance, which would silently lose the run's record.
"""

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import DagsterInstance
from dagster._core.instance.ref import InstanceRef

from compiler.instance_settings import (
    INSTANCE_KIND_ENV,
    PG_DB_ENV,
    PG_HOST_ENV,
    PG_PASSWORD_ENV,
    PG_PORT_ENV,
    PG_USER_ENV,
)
from compiler.materialize.instance_outage import bound_database_waits, record_through_outage

POSTGRES = "postgres"
CONNECT_TIMEOUT_SECONDS = 10
# SQLAlchemy 2.1 maps plain `postgresql://` to psycopg 3; dagster-postgres depends on (and we pin) psycopg2.
DRIVER_SCHEME = "postgresql+psycopg2"


class InstanceUnavailableError(Exception):
    """The shared instance was asked for and cannot be used; the step must fail, retryably, before any work."""


def instance_yaml(connect_timeout_seconds: int = CONNECT_TIMEOUT_SECONDS) -> str:
    """`dagster.yaml` of the shared instance: storage on PostgreSQL, every value read from the environment.

    The same text serves a Dagster webserver/daemon pointed at the database (`make dev` writes it to DAGSTER_HOME).
    Compute logs are not kept (the pod's stdout is Argo's log) so nothing local outlives the pod.
    """
    return f"""\
storage:
  postgres:
    postgres_db:
      hostname: {{env: {PG_HOST_ENV}}}
      port: {{env: {PG_PORT_ENV}}}
      db_name: {{env: {PG_DB_ENV}}}
      username: {{env: {PG_USER_ENV}}}
      password: {{env: {PG_PASSWORD_ENV}}}
      scheme: {DRIVER_SCHEME}
      params:
        connect_timeout: {connect_timeout_seconds}
compute_logs:
  module: dagster._core.storage.noop_compute_log_manager
  class: NoOpComputeLogManager
telemetry:
  enabled: false
"""


def wants_shared_instance() -> bool:
    return os.environ.get(INSTANCE_KIND_ENV, "") == POSTGRES


@contextmanager
def open_instance() -> Iterator[DagsterInstance]:
    """The instance for this step's run, disposed of afterwards."""
    kind = os.environ.get(INSTANCE_KIND_ENV, "")
    if kind in ("", "ephemeral"):
        with DagsterInstance.ephemeral() as instance:
            yield instance
        return
    if kind != POSTGRES:
        raise InstanceUnavailableError(f"{INSTANCE_KIND_ENV}={kind!r}: expected 'postgres' or 'ephemeral'")
    instance, config_dir = _open_shared()
    try:
        yield instance
    finally:
        instance.dispose()
        shutil.rmtree(config_dir, ignore_errors=True)


def _open_shared() -> tuple[DagsterInstance, Path]:
    required = (PG_HOST_ENV, PG_PORT_ENV, PG_DB_ENV, PG_USER_ENV, PG_PASSWORD_ENV)
    missing = [name for name in required if not os.environ.get(name)]
    if missing:
        raise InstanceUnavailableError(
            f"shared Dagster instance: {', '.join(missing)} not set (ConfigMap keys, the password from its Secret)"
        )
    where = shared_location()
    bound_database_waits(CONNECT_TIMEOUT_SECONDS)  # a hung server fails an operation instead of blocking the pod
    config_dir = Path(tempfile.mkdtemp(prefix="dagster-instance-"))
    (config_dir / "dagster.yaml").write_text(instance_yaml(), encoding="utf-8")
    try:
        instance = DagsterInstance.from_ref(InstanceRef.from_dir(str(config_dir)))
        try:
            instance.get_runs(limit=1)  # reach the database now, not halfway through the step
        except BaseException:
            instance.dispose()
            raise
    except Exception as error:
        shutil.rmtree(config_dir, ignore_errors=True)
        raise InstanceUnavailableError(
            f"shared Dagster instance on PostgreSQL {where} unavailable: {_reason(error)}"
        ) from None
    record_through_outage(instance, _reason)  # the database lost mid-run: compiler/materialize/instance_outage.py
    return instance, config_dir


def shared_location() -> str:
    """user@host:port/db of the shared instance (no password), as every message about it names it."""
    env = os.environ
    return f"{env.get(PG_USER_ENV)}@{env.get(PG_HOST_ENV)}:{env.get(PG_PORT_ENV)}/{env.get(PG_DB_ENV)}"


def _reason(error: BaseException) -> str:
    """The innermost cause's first meaningful line, with the password (should a driver echo it) masked."""
    while error.__cause__ is not None or error.__context__ is not None:
        nested = error.__cause__ or error.__context__
        assert nested is not None
        error = nested
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = " ".join(lines[:2]) if lines else type(error).__name__
    text = re.sub(r"\(Background on this error at: [^)]*\)", "", text).strip()
    password = os.environ.get(PG_PASSWORD_ENV, "")
    return text.replace(password, "***") if password else text
