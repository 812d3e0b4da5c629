"""Issue 14 case 9: `multiprocess_executor` with `max_concurrent: 2` over four independent assets; each records
when its body started and ended, so a test can count how many ran at once."""

import os
import time
from pathlib import Path

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run

MAX_CONCURRENT = 2


def _timed(name: str) -> None:
    record_run(name)
    spans = Path(os.environ["FIDELITY_RECORD_DIR"]) / "spans.log"
    started = time.time()
    time.sleep(2.0)
    with spans.open("a", encoding="utf-8") as handle:
        handle.write(f"{name} {started} {time.time()}\n")


@dg.asset
def north() -> None:
    _timed("north")


@dg.asset
def south() -> None:
    _timed("south")


@dg.asset
def east() -> None:
    _timed("east")


@dg.asset
def west() -> None:
    _timed("west")


defs = dg.Definitions(
    assets=[north, south, east, west],
    executor=dg.multiprocess_executor.configured({"max_concurrent": MAX_CONCURRENT}),
)
