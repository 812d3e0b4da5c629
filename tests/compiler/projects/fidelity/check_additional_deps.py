"""Issue 14 case 2: a check on `orders` also reads `prices` (additional_deps). Dagster runs the check after `prices`
is materialized; `orders` itself does not depend on `prices`."""

import json
import os
from pathlib import Path

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run


def _prices_file() -> Path:
    return Path(os.environ["FIDELITY_RECORD_DIR"]) / "prices.json"


@dg.asset
def prices() -> None:
    record_run("prices")
    _prices_file().write_text(json.dumps({"apple": 3}), encoding="utf-8")


@dg.asset
def orders() -> None:
    record_run("orders")


@dg.asset_check(asset=orders, additional_deps=[prices], blocking=True)
def orders_have_prices() -> dg.AssetCheckResult:
    """Fails when prices were not materialized before the check ran."""
    return dg.AssetCheckResult(passed=_prices_file().exists(), description="prices must exist before the check")


defs = dg.Definitions(assets=[prices, orders], asset_checks=[orders_have_prices])
