"""`make dev`: the local services plus `dagster dev` on 127.0.0.1:3000; Ctrl-C stops everything."""

import signal
from contextlib import suppress
from types import FrameType

from devservices.dagster_dev import PROJECT_ROOT, start_dagster_dev, stop_dagster_dev
from devservices.dev_instance import dev_instance, prepare_replay
from devservices.local_stack import Say, local_services

DAGSTER_PORT = 3000
DEV_DIR = PROJECT_ROOT / ".dev"
DAGSTER_HOME = DEV_DIR / "dagster_home"


def run_dev() -> int:
    say = Say()

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)  # also when started from a shell that ignores SIGINT for background jobs
    # Object store and Dagster instance data persist together under .dev/ (`make dev-reset` clears both).
    with local_services(DEV_DIR, say) as services, dev_instance(DEV_DIR, DAGSTER_HOME, say) as instance_env:
        env = {**services, **instance_env}
        prepare_replay(DEV_DIR, PROJECT_ROOT, env, say)
        process = start_dagster_dev(env, DAGSTER_PORT, DAGSTER_HOME)
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
