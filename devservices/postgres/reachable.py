"""Under root, PostgreSQL runs as `nobody` (it refuses to run as root), and `nobody` must reach its own binaries and
its data directory. A clone under a private directory (/root, many CI homes: mode 0700) hides both, so `make dev`
and the test suite could not start it there.

What `nobody` cannot reach is copied to where it can, in a temporary folder every user can traverse:
- the binaries (bin, lib, share of the pgserver wheel, about 30 MB, and the wheel's `pgserver.libs`, which they
  load through an RPATH relative to themselves) into a fresh 0755 folder, once per process, removed at exit;
- the cluster (pgdata) into a fresh 0711 staging folder for as long as the server runs, copied back to the data
  directory when it stops (so `.dev/postgres` stays where `make dev-reset` clears it), the staging folder removed.
When no such temporary folder exists, the start fails at once with one line saying why and what to do.
"""

import atexit
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

BINARIES_PREFIX = "pgserver-binaries-"
CLUSTER_PREFIX = "postgres-cluster-"
COPY_PREFIXES = (BINARIES_PREFIX, CLUSTER_PREFIX)
_INSTALL_PARTS = ("bin", "lib", "share")
_copies: dict[Path, Path] = {}


class UnreachableForPostgres(RuntimeError):
    """Root, a private directory, and no temporary folder others can traverse: nowhere to run PostgreSQL from."""


def reachable_by_others(path: Path) -> bool:
    """Whether a user other than the owner can reach `path`: every directory from / down to it (and `path` itself,
    when a directory) lets others through (the x bit for others)."""
    try:
        resolved = path.resolve(strict=True)
        directories = [*resolved.parents, resolved] if resolved.is_dir() else list(resolved.parents)
        return all(directory.stat().st_mode & 0o001 for directory in directories)
    except OSError:
        return False


def _scratch_root() -> Path:
    # Only folders to make a fresh mkdtemp() folder in (unique, 0700 until opened up), never a fixed file name.
    for candidate in (tempfile.gettempdir(), "/tmp", "/var/tmp"):  # noqa: S108
        path = Path(candidate)
        if path.is_dir() and os.access(path, os.W_OK) and reachable_by_others(path):
            return path
    raise UnreachableForPostgres(
        "under root PostgreSQL runs as nobody, who cannot reach this clone (a parent directory is private), and "
        "no temporary folder (TMPDIR, /tmp, /var/tmp) lets others through to copy it to: point TMPDIR at a folder "
        "every user can traverse, or set DAGSTER_PG_HOST, _PORT, _DB, _USER, _PASSWORD to use your own server"
    )


def needs_copies() -> bool:
    return os.geteuid() == 0


def reachable_install(install: Path) -> Path:
    """`install` (the wheel's pginstall) when `nobody` can reach its binaries or we are not root; else a copy that
    it can, made once per process and removed at exit."""
    if not needs_copies() or reachable_by_others(install / "bin" / "postgres"):
        return install
    if install not in _copies:
        target = Path(tempfile.mkdtemp(prefix=BINARIES_PREFIX, dir=_scratch_root()))
        atexit.register(shutil.rmtree, target, True)
        target.chmod(0o755)
        # The wheel's layout, kept: site-packages/pgserver/pginstall/bin finds ../../../pgserver.libs.
        package, libraries = install.parent, install.parent.parent / f"{install.parent.name}.libs"
        copied = target / package.name / install.name
        for part in _INSTALL_PARTS:
            if (install / part).is_dir():
                shutil.copytree(install / part, copied / part, symlinks=True)
        if libraries.is_dir():
            shutil.copytree(libraries, target / libraries.name, symlinks=True)
        for folder in (target / package.name, copied):
            folder.chmod(0o755)
        _copies[install] = copied
    return _copies[install]


@dataclass(frozen=True)
class ClusterPlace:
    """Where the cluster lives while the server runs: `home` (data_dir/pgdata) itself, or a copy in `staging`."""

    home: Path
    staging: Path | None = None

    @property
    def pgdata(self) -> Path:
        return self.home if self.staging is None else self.staging / "pgdata"

    def finish(self) -> None:
        """After the server has stopped: a staged cluster goes back home (replacing the old one only once the copy is
        whole), and the staging folder is removed."""
        if self.staging is None:
            return
        if (self.pgdata / "PG_VERSION").is_file():
            fresh, old = self.home.with_name("pgdata.new"), self.home.with_name("pgdata.old")
            shutil.rmtree(fresh, ignore_errors=True)
            shutil.copytree(self.pgdata, fresh, symlinks=True)
            shutil.rmtree(old, ignore_errors=True)
            if self.home.exists():
                self.home.rename(old)
            fresh.rename(self.home)
            shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(self.staging, ignore_errors=True)


def place_cluster(data_dir: Path) -> ClusterPlace:
    """Where to run the cluster of `data_dir`: in place unless we are root and `nobody` cannot reach `data_dir`."""
    home = data_dir / "pgdata"
    if not needs_copies() or reachable_by_others(data_dir):
        return ClusterPlace(home)
    staging = Path(tempfile.mkdtemp(prefix=CLUSTER_PREFIX, dir=_scratch_root()))
    staging.chmod(0o711)
    if (home / "PG_VERSION").is_file():
        shutil.copytree(home, staging / "pgdata", symlinks=True)
    return ClusterPlace(home, staging)
