"""Start and stop a real PostgreSQL server on 127.0.0.1 from the binaries of the `pgserver` wheel.

Only the wheel's `initdb` and `postgres` are used; the process is ours (own session, like SeaweedFS): stopping
asks for a fast shutdown (SIGINT), then escalates to SIGTERM and SIGKILL of the whole group. Password
authentication (scram-sha-256) is on, so a wrong password fails as it would against a cluster database.
PostgreSQL refuses to run as root: under root the server runs as the unprivileged user `nobody`, from copies of
the binaries and the cluster when `nobody` cannot reach them where they are (devservices/postgres/reachable.py).
"""

import importlib.util
import os
import pwd
import secrets
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2 import sql

from devservices.ports import free_ports
from devservices.postgres.reachable import ClusterPlace, place_cluster, reachable_install
from devservices.s3.seaweed import stop_process_group

USER = "dagster"
DATABASE = "dagster"
UNPRIVILEGED_USER = "nobody"


@dataclass
class PostgresServer:
    """A running server: where it listens, its superuser's credentials, data directory and process."""

    host: str
    port: int
    user: str
    password: str = field(repr=False)
    database: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path
    place: ClusterPlace = field(default_factory=lambda: ClusterPlace(Path()), repr=False)

    def env(self, database: str | None = None) -> dict[str, str]:
        """The DAGSTER_PG_* variables the shared Dagster instance reads (compiler/instance_settings.py)."""
        return {
            "DAGSTER_PG_HOST": self.host,
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_DB": database or self.database,
            "DAGSTER_PG_USER": self.user,
            "DAGSTER_PG_PASSWORD": self.password,
        }

    def connect(self, database: str | None = None) -> Any:
        """A psycopg2 connection as the server's user (the caller closes it)."""
        return psycopg2.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=database or self.database,
            connect_timeout=2,
        )

    def create_database(self, name: str) -> None:
        connection = self.connect("postgres")
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if cursor.fetchone() is None:
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        finally:
            connection.close()

    def is_running(self) -> bool:
        return self.process.poll() is None

    @property
    def staged_in(self) -> Path | None:
        """The staging folder the cluster runs from (a copy, under root), None when it runs in `data_dir`."""
        return self.place.staging

    def stop(self, grace_seconds: float = 10.0) -> None:
        """Fast shutdown (SIGINT: abort sessions, checkpoint), then the group's TERM/KILL; always reaps. A staged
        cluster is then copied back to `data_dir`."""
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGINT)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=grace_seconds)
        stop_process_group(self.process, grace_seconds=2.0)
        self.place.finish()


def install_dir() -> Path:
    """`pgserver/pginstall` of the installed wheel, found without importing the package (its import has side
    effects we do not want: a lock file under the user's runtime directory)."""
    spec = importlib.util.find_spec("pgserver")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        candidate = Path(location) / "pginstall"
        if (candidate / "bin" / "postgres").is_file():
            return candidate
    raise RuntimeError("PostgreSQL binaries not found: install the dev extra (pip install -e '.[dev]').")


def _demote() -> Callable[[], None] | None:
    """Under root, a preexec function that becomes `nobody`; None otherwise."""
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam(UNPRIVILEGED_USER)

    def demote() -> None:
        os.setgroups([])
        os.setgid(entry.pw_gid)
        os.setuid(entry.pw_uid)

    return demote


def _hand_over(path: Path) -> None:
    """Under root, give the data directory to `nobody`; it must be reachable by that user."""
    if os.geteuid() != 0:
        return
    entry = pwd.getpwnam(UNPRIVILEGED_USER)
    for parent in path.resolve().parents:
        if not parent.stat().st_mode & 0o001:
            raise RuntimeError(
                f"PostgreSQL runs as {UNPRIVILEGED_USER} under root, and {parent} is not traversable by others: "
                "put its data directory elsewhere (see devservices/postgres/fixture.py)"
            )
    for root, dirs, files in os.walk(path):
        for name in [*dirs, *files]:
            os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def _init_cluster(pgdata: Path, password: str, log_path: Path, binaries: Path) -> None:
    pgdata.mkdir(mode=0o700, parents=True, exist_ok=True)
    password_file = pgdata.parent / "initdb-password"
    fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    _hand_over(pgdata.parent)
    try:
        with log_path.open("ab") as log:
            subprocess.run(
                [
                    str(binaries / "initdb"),
                    "-D",
                    str(pgdata),
                    "-U",
                    USER,
                    f"--pwfile={password_file}",
                    "--auth=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_demote(),  # drops root before initdb runs
                check=True,
            )
    except subprocess.CalledProcessError:
        raise RuntimeError(f"initdb failed; see {log_path}:\n{_tail(log_path)}") from None
    finally:
        password_file.unlink(missing_ok=True)


def _password(data_dir: Path) -> str:
    """Generated once per data directory and kept beside it (0600), so a persistent dev store keeps working."""
    path = data_dir / "password"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    password = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password)
    return password


def start_postgres(data_dir: Path, timeout_seconds: float = 60.0, install: Path | None = None) -> PostgresServer:
    """Start PostgreSQL in its own session on a free loopback port, data under `data_dir` (created, or reused when
    it already holds a cluster), with database `dagster` owned by user `dagster`. `install`: the PostgreSQL
    install to run (default: the pgserver wheel's)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    data_dir.chmod(0o700)
    password = _password(data_dir)
    log_path = data_dir / "postgres.log"
    binaries = reachable_install(install or install_dir()) / "bin"
    place = place_cluster(data_dir)
    try:
        if not (place.pgdata / "PG_VERSION").is_file():
            _init_cluster(place.pgdata, password, log_path, binaries)
        _hand_over(place.pgdata.parent)
        (port,) = free_ports(1)
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [
                    str(binaries / "postgres"),
                    "-D",
                    str(place.pgdata),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-c",
                    "unix_socket_directories=",
                    "-c",
                    "max_connections=100",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_demote(),  # PostgreSQL refuses to run as root
            )
    except BaseException:
        place.finish()
        raise
    server = PostgresServer("127.0.0.1", port, USER, password, DATABASE, data_dir, process, log_path, place)
    try:
        _wait_until_answering(server, timeout_seconds)
        server.create_database(DATABASE)
    except BaseException:  # including Ctrl-C while waiting: never leave `postgres` behind
        server.stop()
        raise
    return server


def _wait_until_answering(server: PostgresServer, timeout_seconds: float) -> None:
    deadline = time.monotonic() + timeout_seconds
    while True:
        if not server.is_running():
            raise RuntimeError(f"postgres exited early; see {server.log_path}:\n{_tail(server.log_path)}")
        try:
            server.connect("postgres").close()
            return
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"postgres did not answer on port {server.port} within {timeout_seconds:.0f} s"
                ) from None
            time.sleep(0.1)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextmanager
def running_postgres(data_dir: Path) -> Iterator[PostgresServer]:
    """`start_postgres` as a context manager that always stops the server."""
    server = start_postgres(data_dir)
    try:
        yield server
    finally:
        server.stop()
