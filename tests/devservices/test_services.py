"""`make services` / `python -m devservices services`: the local services for a shell, stopped by Ctrl-C or SIGTERM
with nothing left running; and the README's `dg launch` block, run exactly as written.

Real processes and signals: the command runs in a session of its own, as a terminal would start it, and gets SIGINT
on its whole process group (what Ctrl-C sends) or SIGTERM on itself (what a supervisor sends).
"""

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from assets.resources.object_store import ObjectStore
from tests.faults.processes import children_of, kill_all, no_process_left, wait_for

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def _clean_env() -> dict[str, str]:
    """A new user's shell after `source .venv/bin/activate`: no services of their own, no Dagster home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MINIO_", "OPENAQ_", "DAGSTER_"))}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    env["VIRTUAL_ENV"] = str(VENV_BIN.parent)
    return env


def _start(*arguments: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "devservices", "services", *arguments],
        cwd=ROOT,
        env=_clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # as a terminal starts a foreground job: its own process group
    )


def _stop(process: subprocess.Popen[str], how: str) -> None:
    if how == "ctrl-c":
        os.killpg(process.pid, signal.SIGINT)  # the terminal signals the whole foreground group
    else:
        os.kill(process.pid, signal.SIGTERM)


def _read_exports(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            (found[name],) = shlex.split(value)
    return found


def _assert_all_stopped(process: subprocess.Popen[str], started: set[int]) -> None:
    left = no_process_left(started, timeout_s=15.0)
    kill_all(set(left))
    assert not left, f"left running: {left}"
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)  # the whole process group is gone


@pytest.mark.timeout(240)
@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_services_serve_a_shell_until_stopped_and_leave_nothing_running(tmp_path: Path, how: str) -> None:
    env_file = tmp_path / "services.env"
    process = _start("--env-file", str(env_file))
    started: set[int] = set()
    try:
        wait_for(lambda: env_file.exists() or process.poll() is not None, 180, "the services' env file")
        assert process.poll() is None, process.communicate()[0]
        assert env_file.stat().st_mode & 0o777 == 0o600  # throwaway credentials, still only for this user
        env = _read_exports(env_file)
        store = ObjectStore(
            endpoint=env["MINIO_ENDPOINT"],
            access_key=env["MINIO_ACCESS_KEY"],
            secret_key=env["MINIO_SECRET_KEY"],
            bucket=env["MINIO_BUCKET"],
        )
        store.put_bytes("probe.txt", b"from another shell", "text/plain")
        assert store.get_bytes("probe.txt") == b"from another shell"
        answer = requests.get(
            f"{env['OPENAQ_BASE_URL']}/v3/locations", headers={"X-API-Key": env["OPENAQ_API_KEY"]}, timeout=10
        )
        assert answer.status_code == 200
        started = children_of(process.pid) | {process.pid}
        assert len(started) >= 2  # SeaweedFS (its own session) runs under it
        _stop(process, how)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            started |= children_of(process.pid)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, output
    assert "==> services stopped" in output
    assert not env_file.exists()
    _assert_all_stopped(process, started)


@pytest.mark.timeout(240)
@pytest.mark.parametrize(("how", "code"), [("ctrl-c", 128 + signal.SIGINT), ("sigterm", 128 + signal.SIGTERM)])
def test_a_command_run_inside_the_services_is_stopped_with_them(how: str, code: int) -> None:
    process = _start("--", sys.executable, "-c", "import time; print('command up', flush=True); time.sleep(600)")
    started: set[int] = set()
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 180
        while not lines or lines[-1] != "command up\n":
            line = process.stdout.readline()
            assert line, "".join(lines)
            assert time.monotonic() < deadline, "".join(lines)
            lines.append(line)
        started = children_of(process.pid) | {process.pid}
        _stop(process, how)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            started |= children_of(process.pid)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == code, "".join(lines) + output
    assert "==> services stopped" in output
    _assert_all_stopped(process, started)


@pytest.mark.timeout(300)
def test_the_readmes_dg_launch_line_works_as_written_and_stops_the_services() -> None:
    """The README's `dg launch` block, copied into a shell with the venv active and nothing else: it needs no
    `.dev/` and leaves no service behind."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (line,) = [line for line in readme.splitlines() if line.startswith("python -m devservices services -- dg launch")]
    process = subprocess.Popen(
        ["bash", "-c", line],
        cwd=ROOT,
        env=_clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=280)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, output[-4000:]
    assert "RUN_SUCCESS" in output, output[-4000:]
    assert "==> services stopped" in output
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)
    data_dir = re.search(r"embedded SeaweedFS at \S+ \(no MINIO_\* set; data in (\S+)\)", output)
    assert data_dir is not None, output[-4000:]
    assert not _processes_naming(data_dir.group(1)), "SeaweedFS (its own session) was left running"
    assert not Path(data_dir.group(1)).exists()  # the throwaway store is gone with it


def _processes_naming(text: str) -> list[int]:
    """Live processes whose command line contains `text` (here: one run's own temporary folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in command:
                found.append(int(entry.name))
    return found
