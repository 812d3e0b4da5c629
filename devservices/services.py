"""`make services` / `python -m devservices services [-- COMMAND ...]`: the local services for a shell.

`dg launch`, `dagster asset materialize` or a script run in your own shell need the object store and the OpenAQ API
`make dev` starts for its UI. This starts the same ones (`local_services`: the embedded SeaweedFS in a throwaway
folder and the SYNTHETIC OpenAQ server, unless the environment names real ones) and either
- runs COMMAND with their variables and stops them when it ends (its exit code is ours), or
- without a command, writes their variables to `.dev/services.env` (0600: throwaway local credentials) for
  `source .dev/services.env` in other shells, and keeps them up until Ctrl-C or SIGTERM.
Either way a stop (Ctrl-C, SIGTERM) stops everything it started, the command included, and removes the file.
"""

import os
import shlex
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType

from devservices.dagster_dev import PROJECT_ROOT
from devservices.local_stack import Say, local_services

ENV_FILE = PROJECT_ROOT / ".dev" / "services.env"
COMMAND_GRACE_SECONDS = 10.0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGINT or SIGTERM: stop, once. Further signals are ignored, so a second Ctrl-C cannot cut short the cleanup
    that stops the services (and would leave SeaweedFS, in its own session, running)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt(signum)


def exports(env: Mapping[str, str]) -> str:
    """The variables as `export NAME=value` lines a POSIX shell can `source`."""
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in sorted(env.items()))


@contextmanager
def _env_file(path: Path, env: Mapping[str, str]) -> Iterator[None]:
    """`path` holds the exports while the block runs; removed afterwards unless another run has replaced it."""
    text = "# the local services of `make services`: source this file; it goes when they stop\n" + exports(env)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    try:
        yield
    finally:
        with suppress(OSError):
            if path.read_text(encoding="utf-8") == text:
                path.unlink()


def _run_command(command: Sequence[str], env: Mapping[str, str], say: Say) -> int:
    """Run `command` in this process group (so it keeps the terminal and gets Ctrl-C with us) and wait for it; on a
    stop, SIGTERM it, then SIGKILL after COMMAND_GRACE_SECONDS."""
    say(f"running: {shlex.join(command)}")
    try:
        process = subprocess.Popen(list(command), env={**os.environ, **env})
    except OSError as error:
        say(f"cannot run {shlex.quote(command[0])}: {error.strerror}")
        return 127
    try:
        return process.wait()
    except KeyboardInterrupt:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=COMMAND_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        raise


def run_services(command: Sequence[str] = (), env_file: Path = ENV_FILE) -> int:
    """Start the services, then run `command` with them (its exit code; 128 + the signal when stopped) or wait
    for a stop (0)."""
    say = Say()
    code = 0
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # also when started from a shell that ignores SIGINT in background jobs
    try:
        with (
            tempfile.TemporaryDirectory(prefix="air-quality-services-") as scratch,
            local_services(Path(scratch), say) as env,
        ):
            if command:
                code = _run_command(command, env, say)
            else:
                with _env_file(env_file, env):
                    shown = env_file.relative_to(PROJECT_ROOT) if env_file.is_relative_to(PROJECT_ROOT) else env_file
                    say(f"services up; in another shell: source {shown}   (Ctrl-C here stops them)")
                    while True:
                        signal.pause()
    except KeyboardInterrupt as stop:
        signum = stop.args[0] if stop.args and isinstance(stop.args[0], int) else signal.SIGINT
        code = 128 + signum if command else 0
    say("services stopped")
    return code
