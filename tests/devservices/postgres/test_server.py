"""The embedded PostgreSQL: password authentication, data kept across a restart, nothing left running."""

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from devservices.postgres.server import PostgresServer, start_postgres


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """Under root the server runs as `nobody`, which needs a traversable parent (see devservices/postgres/fixture)."""
    if os.geteuid() != 0:
        yield tmp_path / "pg"
        return
    scratch = Path(tempfile.mkdtemp(prefix="test-postgres-"))
    scratch.chmod(0o711)
    try:
        yield scratch / "pg"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def test_wrong_password_is_rejected(postgres: PostgresServer) -> None:
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        psycopg2.connect(
            host=postgres.host, port=postgres.port, user=postgres.user, password="not-it", dbname="postgres"
        )


def test_data_survives_a_restart_and_stop_leaves_nothing_running(data_dir: Path) -> None:
    server = start_postgres(data_dir)
    try:
        with server.connect() as connection, connection.cursor() as cursor:
            cursor.execute("CREATE TABLE kept (value text); INSERT INTO kept VALUES ('still here')")
    finally:
        server.stop()
    assert server.process.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(server.process.pid, 0)

    again = start_postgres(data_dir)
    try:
        assert again.password == server.password
        with again.connect() as connection, connection.cursor() as cursor:
            cursor.execute("SELECT value FROM kept")
            assert cursor.fetchall() == [("still here",)]
    finally:
        again.stop()
