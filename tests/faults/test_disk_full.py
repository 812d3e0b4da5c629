"""A full temporary directory: the raw step spools the day there (TMPDIR), so "No space left on device" alone would
leave the operator guessing which disk and what to change. The message names the directory, TMPDIR and the fix.

A real full disk: a 64 KiB tmpfs mounted for the test (needs root and a kernel that lets us mount; skipped otherwise),
under the real `materialize` command as a pod runs it.
"""

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from devservices.openaq_server.app import OpenAQServer
from tests.assets.cities import day_key

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def tiny_tmpdir() -> Iterator[Path]:
    """A 64 KiB tmpfs: far less than a city-day's rows."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount_point = Path(tempfile.mkdtemp(prefix="tiny-tmpdir-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        mount_point.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)
        with contextlib.suppress(OSError):
            mount_point.rmdir()


@pytest.mark.timeout(240)
def test_a_full_tmpdir_names_the_directory_tmpdir_and_the_fix(
    s3_env: dict[str, str], openaq_env: OpenAQServer, tiny_tmpdir: Path
) -> None:
    result = subprocess.run(
        [
            sys.executable,
            *("-m", "compiler", "materialize", "--module", "assets", "--asset", "openaq/raw_measurements"),
            *("--partition", day_key("2026-11-27")),
        ],
        cwd=REPO,
        env={**os.environ, "TMPDIR": str(tiny_tmpdir)},
        capture_output=True,
        text=True,
        timeout=200,
        check=False,
    )
    last = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 1, result.stdout[-3000:]  # another pod (another node's disk) may succeed
    assert f"the temporary directory {tiny_tmpdir} (TMPDIR) is full" in last
    assert "point TMPDIR at a larger volume" in last
    assert "ephemeral-storage" in last
