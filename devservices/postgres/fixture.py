"""Pytest plugin: one real PostgreSQL server per test session, a fresh database per test."""

import itertools
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from devservices.postgres.server import PostgresServer, running_postgres

_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """PostgreSQL on a free loopback port with a generated password, stopped after the session.

    Under root the server runs as `nobody`, which cannot traverse pytest's 0700 temp root: the data then lives in
    a directory of its own (0711) that is removed afterwards.
    """
    if os.geteuid() == 0:
        scratch = Path(tempfile.mkdtemp(prefix="pytest-postgres-"))
        scratch.chmod(0o711)
    else:
        scratch = tmp_path_factory.mktemp("postgres")
    try:
        with running_postgres(scratch / "pg") as server:
            yield server
    finally:
        if os.geteuid() == 0:
            shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture
def pg_env(postgres: PostgresServer) -> dict[str, str]:
    """DAGSTER_PG_* of a database no other test uses (created empty; the Dagster instance adds its tables)."""
    name = f"test_{next(_database_numbers)}_{secrets.token_hex(4)}"
    postgres.create_database(name)
    return postgres.env(name)
