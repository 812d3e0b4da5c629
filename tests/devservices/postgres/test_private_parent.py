"""As root, in a clone under a private (0700) directory: PostgreSQL runs as `nobody`, who can traverse neither to the
venv's binaries nor to `.dev/postgres`. The embedded server must start there anyway, keep its data across a
restart, and leave nothing behind (no process, no copy).

Real root, a real 0700 directory holding a copy of the wheel's PostgreSQL install where a venv would have it, and
the real server; skipped when not root (then PostgreSQL runs as the user, who can reach their own files).
"""

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from devservices.postgres.reachable import COPY_PREFIXES
from devservices.postgres.server import install_dir, start_postgres


@pytest.fixture
def private_clone() -> Iterator[Path]:
    """`<0700 dir>/clone` with the pgserver wheel's files under `.venv/`, as a clone in /root would have them."""
    if os.geteuid() != 0:
        pytest.skip("only root runs PostgreSQL as another user")
    private = Path(tempfile.mkdtemp(prefix="private-home-"))
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    clone = private / "clone"
    install, site_packages = install_dir(), clone / ".venv" / "site-packages"
    # The wheel's layout: pgserver/pginstall/bin loads ../../../pgserver.libs (an RPATH relative to itself).
    shutil.copytree(install, site_packages / "pgserver" / "pginstall", ignore=shutil.ignore_patterns("include"))
    shutil.copytree(install.parent.parent / "pgserver.libs", site_packages / "pgserver.libs")
    try:
        yield clone
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _copies() -> set[str]:
    """The scratch copies (binaries, staged cluster) present now, in every candidate temporary folder."""
    found = set()
    for folder in {tempfile.gettempdir(), "/tmp", "/var/tmp"}:
        for entry in Path(folder).glob("*"):
            if entry.name.startswith(COPY_PREFIXES):
                found.add(str(entry))
    return found


def test_as_root_under_a_private_directory_the_server_starts_and_keeps_its_data(private_clone: Path) -> None:
    install = private_clone / ".venv" / "site-packages" / "pgserver" / "pginstall"
    data_dir = private_clone / ".dev" / "postgres"
    before = _copies()
    server = start_postgres(data_dir, install=install)
    try:
        with server.connect() as connection, connection.cursor() as cursor:
            cursor.execute("CREATE TABLE kept (value text); INSERT INTO kept VALUES ('still here')")
        connection.close()
    finally:
        server.stop()
    with pytest.raises(ProcessLookupError):
        os.killpg(server.process.pid, 0)
    assert (data_dir / "pgdata" / "PG_VERSION").is_file()  # the cluster is back where the clone keeps it

    again = start_postgres(data_dir, install=install)
    try:
        with again.connect() as connection, connection.cursor() as cursor:
            cursor.execute("SELECT value FROM kept")
            assert cursor.fetchall() == [("still here",)]
        connection.close()
    finally:
        again.stop()
    staged = _copies() - before
    assert all("binaries" in path for path in staged), staged  # no staged cluster left; binaries go at exit
