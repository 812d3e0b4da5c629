"""Issue 14 case 9: three independent assets in the concurrency pool `warehouse` (and one outside it); each records
when its body ran, so a test can count how many pool members ran at once."""

import os
import time
from pathlib import Path

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run


def _timed(name: str) -> None:
    record_run(name)
    spans = Path(os.environ["FIDELITY_RECORD_DIR"]) / "spans.log"
    started = time.time()
    time.sleep(1.5)
    with spans.open("a", encoding="utf-8") as handle:
        handle.write(f"{name} {started} {time.time()}\n")


@dg.asset(pool="warehouse")
def load_orders() -> None:
    _timed("load_orders")


@dg.asset(pool="warehouse")
def load_customers() -> None:
    _timed("load_customers")


@dg.asset(pool="warehouse")
def load_products() -> None:
    _timed("load_products")


@dg.asset
def fetch_rates() -> None:
    record_run("fetch_rates")


defs = dg.Definitions(assets=[load_orders, load_customers, load_products, fetch_rates])
