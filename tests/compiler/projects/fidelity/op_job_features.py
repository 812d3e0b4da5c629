"""Issue 25: op-job features beside the dynamic fan-out, each a job of its own, replayed against Dagster in process:
a conditional output Dagster never yields (its downstream op is skipped), an op `RetryPolicy` (a flaky op runs
twice), ops inside nested graphs, and a failing op (its downstream op never runs, the run fails)."""

from collections.abc import Iterator

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run, runs, runs_dir

STORE = {"io_manager": dg.FilesystemIOManager(base_dir=dg.EnvVar("FIDELITY_RECORD_DIR"))}


@dg.op(out={"fresh": dg.Out(is_required=False), "stale": dg.Out(is_required=False)})
def triage() -> Iterator[dg.Output[int]]:
    record_run("triage")
    yield dg.Output(7, "fresh")  # "stale" is never yielded: Dagster skips what reads it


@dg.op
def publish(value: int) -> int:
    record_run("publish")
    return value + 1


@dg.op
def quarantine(value: int) -> int:
    record_run("quarantine")
    return value


@dg.job(resource_defs=STORE)
def conditional() -> None:
    fresh, stale = triage()
    publish(fresh)
    quarantine(stale)


@dg.op(retry_policy=dg.RetryPolicy(max_retries=2))
def flaky() -> str:
    record_run("flaky")
    if runs(runs_dir()).count("flaky") < 2:
        raise RuntimeError("the first attempt fails")
    return "second attempt"


@dg.job(resource_defs=STORE)
def retried() -> None:
    flaky()


@dg.op(retry_policy=dg.RetryPolicy(max_retries=2))
def flaky_once() -> str:
    record_run("flaky_once")
    if runs(runs_dir()).count("flaky_once") < 2:
        raise RuntimeError("the first attempt fails")
    return "second attempt"


@dg.job(resource_defs=STORE, executor_def=dg.multiprocess_executor.configured({"retries": {"disabled": {}}}))
def retries_disabled() -> None:
    """The executor turns retries off: Dagster's executor runs flaky_once once, whatever its RetryPolicy."""
    flaky_once()


@dg.op
def extract() -> list[int]:
    record_run("extract")
    return [1, 2, 3]


@dg.op
def square(values: list[int]) -> list[int]:
    record_run("square")
    return [v * v for v in values]


@dg.op
def load(values: list[int]) -> int:
    record_run("load")
    return sum(values)


@dg.graph
def transform(values: list[int]) -> list[int]:
    return square(values)


@dg.graph
def pipeline() -> None:
    load(transform(extract()))


nested = pipeline.to_job(name="nested", resource_defs=STORE)


@dg.op
def broken() -> int:
    record_run("broken")
    raise ValueError("the source is unreachable")


@dg.op
def downstream(value: int) -> None:
    record_run("downstream")


@dg.op
def independent() -> int:
    record_run("independent")
    return 1


@dg.job(resource_defs=STORE)
def failing() -> None:
    downstream(broken())
    independent()


@dg.op
def report(context: dg.OpExecutionContext) -> str:
    record_run(f"report {context.run.tags.get('weekday', '-')}")
    return "report"


@dg.job(resource_defs=STORE)
def weekday_report() -> None:
    report()


@dg.schedule(job=weekday_report, cron_schedule="0 6 * * *")
def weekdays_only(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    """Code of its own: no report at weekends; the request's tag reaches the run."""
    tick = context.scheduled_execution_time
    assert tick is not None
    if tick.weekday() >= 5:
        return dg.SkipReason("no report at weekends")
    return dg.RunRequest(tags={"weekday": tick.strftime("%A")})


defs = dg.Definitions(
    jobs=[conditional, retried, retries_disabled, nested, failing, weekday_report], schedules=[weekdays_only]
)
