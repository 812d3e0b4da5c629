"""`make dev`: the local services plus `dagster dev` on 127.0.0.1:3000; Ctrl-C stops everything."""

import signal
import tempfile
from contextlib import suppress
from pathlib import Path
from types import FrameType

from devservices.dagster_dev import PROJECT_ROOT, start_dagster_dev, stop_dagster_dev
from devservices.local_stack import Say, local_services

DAGSTER_PORT = 3000


def run_dev() -> int:
    say = Say()

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)  # also when started from a shell that ignores SIGINT for background jobs
    with tempfile.TemporaryDirectory(prefix="air-quality-dev-") as scratch, local_services(Path(scratch), say) as env:
        process = start_dagster_dev(env, DAGSTER_PORT, PROJECT_ROOT / ".dev" / "dagster_home")
        say(f"dagster dev: http://127.0.0.1:{DAGSTER_PORT}  (Ctrl-C stops it and the services)")
        try:
            with suppress(KeyboardInterrupt):
                process.wait()
        finally:
            # A second Ctrl-C must not cut the cleanup short and leave dagster (own session) running.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            stop_dagster_dev(process)
            say("stopped")
    return 0
