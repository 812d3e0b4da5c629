"""Issue 25: a chain on Dagster's default IO manager whose middle asset has a RetryPolicy and fails its first
attempt. In one pod (compiler/builder/pod_local.py) Dagster retries it in process, as on one machine: the upstream
runs once, the flaky asset twice, and the downstream loads the value of the attempt that succeeded."""

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run, runs


@dg.asset
def first() -> int:
    record_run("first=1")
    return 1


@dg.asset(retry_policy=dg.RetryPolicy(max_retries=2))
def flaky(first: int) -> int:
    from tests.compiler.projects.fidelity.record import runs_dir

    attempt = 1 + sum(line.startswith("flaky attempt") for line in runs(runs_dir()))
    record_run(f"flaky attempt {attempt}")
    if attempt == 1:
        raise RuntimeError("flaky's first attempt fails")
    return first + 1


@dg.asset
def last(flaky: int) -> int:
    record_run(f"last={flaky + 1}")
    return flaky + 1


defs = dg.Definitions(assets=[first, flaky, last])
