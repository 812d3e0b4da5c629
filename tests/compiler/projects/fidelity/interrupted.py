"""Issue 26 item 4: an attempt the infrastructure stops is retried even without a RetryPolicy. `waits` (no policy)
writes its process id and waits on its first attempt, as a step does while its pod is deleted; the test sends that
process SIGTERM, as the kubelet does. The second attempt returns at once."""

import os
import time

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run, runs, runs_dir

WAIT_S = 120.0


@dg.asset
def waits() -> None:
    record_run("waits")
    if runs(runs_dir()).count("waits") > 1:
        return
    (runs_dir() / "waits.pid").write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(WAIT_S)  # the test's SIGTERM ends this first attempt long before


@dg.asset(deps=[waits])
def after_waits() -> None:
    record_run("after_waits")


defs = dg.Definitions(assets=[waits, after_waits])
