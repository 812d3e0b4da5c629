"""`make dev`: the local services plus `dagster dev` on 127.0.0.1; Ctrl-C stops everything.

The port is `DAGSTER_PORT` when set (refused when taken), else 3000, else a free one when 3000 is taken: the URL
printed is the one that answers, printed once the webserver does.
"""

import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from contextlib import suppress
from types import FrameType

import requests

from assets.openaq.errors import shown
from devservices.dagster_dev import PROJECT_ROOT, start_dagster_dev, stop_dagster_dev
from devservices.dev_instance import dev_instance, prepare_replay
from devservices.local_stack import Say, local_services
from devservices.ports import free_ports

DEFAULT_PORT = 3000
STARTUP_SECONDS = 300.0
DEV_DIR = PROJECT_ROOT / ".dev"
DAGSTER_HOME = DEV_DIR / "dagster_home"


class DevUsageError(Exception):
    """`make dev` cannot start as configured (e.g. DAGSTER_PORT taken); the message says what to change."""


def port_is_free(port: int) -> bool:
    """Whether a server could listen on 127.0.0.1:`port` now (SO_REUSEADDR, as uvicorn binds: TIME_WAIT is free)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def choose_port(environ: Mapping[str, str]) -> tuple[int, str]:
    """The port for the webserver and why it was chosen."""
    configured = environ.get("DAGSTER_PORT", "")
    if configured:
        if not configured.isdigit() or not 1 <= int(configured) <= 65535:
            raise DevUsageError(f"DAGSTER_PORT={shown(configured)} is not a port number (1-65535)")
        if not port_is_free(int(configured)):
            raise DevUsageError(
                f"DAGSTER_PORT={configured} is in use by another program: choose another port, or unset "
                "DAGSTER_PORT to get a free one"
            )
        return int(configured), "from DAGSTER_PORT"
    if port_is_free(DEFAULT_PORT):
        return DEFAULT_PORT, "the default"
    (port,) = free_ports(1)
    return port, f"port {DEFAULT_PORT} is taken, so a free one; set DAGSTER_PORT to choose"


def wait_until_serving(process: subprocess.Popen[bytes], url: str, deadline: float) -> bool:
    """True once the webserver at `url` answers; False if dagster dev exits or the deadline passes first."""
    while process.poll() is None and time.monotonic() < deadline:
        with suppress(requests.RequestException):
            if requests.get(f"{url}/server_info", timeout=5).ok:
                return True
        time.sleep(1)
    return False


def run_dev(cli: str = "dagster") -> int:
    say = Say()
    port, why = choose_port(os.environ)  # before any service starts: a refused port starts nothing

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)  # also when started from a shell that ignores SIGINT for background jobs
    # Object store and Dagster instance data persist together under .dev/ (`make dev-reset` clears both).
    with local_services(DEV_DIR, say) as services, dev_instance(DEV_DIR, DAGSTER_HOME, say) as instance_env:
        env = {**services, **instance_env}
        prepare_replay(DEV_DIR, PROJECT_ROOT, env, say)
        url = f"http://127.0.0.1:{port}"
        say(f"{cli} dev: starting on port {port} ({why})")
        process = start_dagster_dev(env, port, DAGSTER_HOME, cli=cli)
        try:
            with suppress(KeyboardInterrupt):
                if wait_until_serving(process, url, time.monotonic() + STARTUP_SECONDS):
                    say(f"{cli} dev: {url}  (Ctrl-C stops it and the services)")
                    process.wait()
                else:
                    say(f"{cli} dev did not start serving {url} (exit code {process.poll()}); see its output above")
                    return 1
        finally:
            # A second Ctrl-C must not cut the cleanup short and leave dagster (own session) running.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            stop_dagster_dev(process)
            say("stopped")
    return 0
