"""Issue 26 item 4: `flaky` has RetryPolicy(max_retries=2) and raises on its first attempt only: Dagster runs it twice,
then `after_flaky`."""

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run, runs, runs_dir


@dg.asset(retry_policy=dg.RetryPolicy(max_retries=2))
def flaky() -> None:
    record_run("flaky")
    if runs(runs_dir()).count("flaky") == 1:
        raise RuntimeError("the first attempt fails; the RetryPolicy tries again")


@dg.asset(deps=[flaky])
def after_flaky() -> None:
    record_run("after_flaky")


defs = dg.Definitions(assets=[flaky, after_flaky])
