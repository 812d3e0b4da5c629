"""Issue 14 case 9: a freshness policy and an explicitly configured executor (warned); see the test for pool=."""

from datetime import timedelta

import dagster as dg


@dg.asset(freshness_policy=dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=26)))
def daily_report() -> None:
    return None


@dg.asset(deps=[daily_report])
def summary() -> None:
    return None


defs = dg.Definitions(
    assets=[daily_report, summary],
    executor=dg.multiprocess_executor.configured(
        {"max_concurrent": 1, "tag_concurrency_limits": [{"key": "database", "limit": 1}]}
    ),
)
