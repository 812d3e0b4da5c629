"""Issue 26 item 4: retries keep Dagster's meaning. `breaks` has no RetryPolicy and raises: Dagster runs it once and
skips `after_breaks`. (The asset with a policy: tests/compiler/projects/fidelity/retries_policy.py.)"""

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run


@dg.asset
def breaks() -> None:
    record_run("breaks")
    raise RuntimeError("a bug: Dagster runs this asset once")


@dg.asset(deps=[breaks])
def after_breaks() -> None:
    record_run("after_breaks")


defs = dg.Definitions(assets=[breaks, after_breaks])
