"""Issue 26 item 5: standalone checks with `additional_deps=[prices]`, and `prices` fails. Dagster still materializes
`orders` and `customers` (the checks' assets) and skips only the checks; the blocking check on `orders` also holds
back `after_orders` (its step depends on the check), the non-blocking one on `customers` holds back nothing."""

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run


@dg.asset
def prices() -> None:
    record_run("prices")
    raise RuntimeError("the price feed is down")


@dg.asset
def orders() -> None:
    record_run("orders")


@dg.asset(deps=[orders])
def after_orders() -> None:
    record_run("after_orders")


@dg.asset
def customers() -> None:
    record_run("customers")


@dg.asset(deps=[customers])
def after_customers() -> None:
    record_run("after_customers")


@dg.asset_check(asset=orders, additional_deps=[prices], blocking=True)
def orders_have_prices() -> dg.AssetCheckResult:
    record_run("orders_have_prices")
    return dg.AssetCheckResult(passed=True)


@dg.asset_check(asset=customers, additional_deps=[prices])
def customers_have_prices() -> dg.AssetCheckResult:
    record_run("customers_have_prices")
    return dg.AssetCheckResult(passed=True)


defs = dg.Definitions(
    assets=[prices, orders, after_orders, customers, after_customers],
    asset_checks=[orders_have_prices, customers_have_prices],
)
