"""Issue 14 case 1: a blocking check fails on an asset with a RetryPolicy. Dagster runs the body once (it retries
only the body's exceptions, never a failed blocking check) and skips the downstream asset."""

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run


@dg.asset(retry_policy=dg.RetryPolicy(max_retries=2))
def guarded() -> None:
    record_run("guarded")


@dg.asset_check(asset=guarded, blocking=True)
def rows_are_plausible() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False, description="the rows are implausible")


@dg.asset(deps=[guarded])
def downstream() -> None:
    record_run("downstream")


defs = dg.Definitions(assets=[guarded, downstream], asset_checks=[rows_are_plausible])
