"""Issue 25, one task per op: Dagster's skipping rules at work across pods, each a job of its own, all handing values
through the filesystem IO manager its test declares shared. `quiet_day`: an optional DynamicOut that yields nothing
(Dagster maps it to None and skips the mapped op and the collect's op); `either_source`: a fan-in whose one source
did not yield (Dagster runs the op with the other); `nothing_yielded`: a fan-in whose sources all did not yield
(Dagster skips it, and what reads it); `skipped_fan_out`: a dynamic op skipped itself."""

from collections.abc import Iterator

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run

STORE = {"io_manager": dg.FilesystemIOManager(base_dir=dg.EnvVar("FIDELITY_RECORD_DIR"))}


@dg.op(out=dg.DynamicOut(str, is_required=False))
def no_files() -> Iterator[dg.DynamicOutput[str]]:
    record_run("no_files")
    yield from []


@dg.op
def parse(name: str) -> int:
    record_run(f"parse {name}")
    return 1


@dg.op
def total(counts: list[int]) -> int:
    record_run(f"total {sum(counts)}")
    return sum(counts)


@dg.job(resource_defs=STORE)
def quiet_day() -> None:
    total(no_files().map(parse).collect())


@dg.op(out=dg.Out(is_required=False))
def maybe(context: dg.OpExecutionContext) -> Iterator[dg.Output[int]]:
    record_run(f"maybe {context.op_handle}")
    if False:  # never yields: Dagster skips what reads only this
        yield dg.Output(1)


@dg.op
def always() -> int:
    record_run("always")
    return 2


@dg.op(ins={"values": dg.In(list[int])})
def combine(values: list[int]) -> int:
    record_run(f"combine {sorted(values)}")
    return sum(values)


@dg.op
def report(value: int) -> None:
    record_run(f"report {value}")


@dg.job(resource_defs=STORE)
def either_source() -> None:
    report(combine([maybe(), always()]))


@dg.job(resource_defs=STORE)
def nothing_yielded() -> None:
    first = maybe.alias("first")
    second = maybe.alias("second")
    report(combine([first(), second()]))


@dg.op(out=dg.DynamicOut(str))
def split(value: int) -> Iterator[dg.DynamicOutput[str]]:
    record_run("split")
    yield dg.DynamicOutput(str(value), mapping_key="only")


@dg.job(resource_defs=STORE)
def skipped_fan_out() -> None:
    """The dynamic op is skipped itself (its input never yielded): Dagster skips the mapped op and the collect's."""
    total(split(maybe()).map(parse).collect())


@dg.job(resource_defs=STORE, executor_def=dg.multiprocess_executor.configured({"max_concurrent": 1}))
def one_at_a_time() -> None:
    """The executor runs one step at a time: the job's DAG runs one op's pod at a time."""
    report(combine([maybe(), always()]))


defs = dg.Definitions(jobs=[quiet_day, either_source, nothing_yielded, skipped_fan_out, one_at_a_time])
