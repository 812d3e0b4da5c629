"""The common shapes of Dagster's op/job/graph documentation, written small for this test (not copied): a linear
job, fan-in, branching on optional outputs, chained and multiple dynamic outputs, a mapped graph, nested graphs with
a config mapping, hooks, config defaults and a job-level config dict. Every op notes its node handle (and mapping
key) so a test can compare what ran on both sides."""

from collections.abc import Iterator

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run


def _note(context: dg.OpExecutionContext) -> None:
    key = context.get_mapping_key()
    record_run(f"{context.op_handle}[{key}]" if key else str(context.op_handle))


@dg.op
def start(context: dg.OpExecutionContext) -> int:
    _note(context)
    return 1


@dg.op
def inc(context: dg.OpExecutionContext, n: int) -> int:
    _note(context)
    return n + 1


@dg.op
def total(context: dg.OpExecutionContext, values: list[int]) -> int:
    _note(context)
    return sum(values)


@dg.job
def linear() -> None:
    inc(inc(start()))


@dg.op(ins={"a": dg.In(int), "b": dg.In(int), "c": dg.In(int)})
def sum_three(context: dg.OpExecutionContext, a: int, b: int, c: int) -> int:
    _note(context)
    return a + b + c


@dg.job
def fan_in() -> None:
    sum_three(start.alias("one")(), start.alias("two")(), inc(start.alias("three")()))


@dg.op(out={"even": dg.Out(is_required=False), "odd": dg.Out(is_required=False)})
def branch(context: dg.OpExecutionContext, n: int) -> Iterator[dg.Output[int]]:
    _note(context)
    yield dg.Output(n, "even" if n % 2 == 0 else "odd")


@dg.job
def branching() -> None:
    even, odd = branch(inc(start()))
    inc.alias("on_even")(even)
    inc.alias("on_odd")(odd)


@dg.op(out=dg.DynamicOut(int))
def numbers(context: dg.OpExecutionContext) -> Iterator[dg.DynamicOutput[int]]:
    _note(context)
    for n in range(3):
        yield dg.DynamicOutput(n, mapping_key=f"n{n}")


@dg.op(out={"values": dg.DynamicOut(int), "negatives": dg.DynamicOut(int)})
def signed(context: dg.OpExecutionContext) -> Iterator[dg.DynamicOutput[int]]:
    _note(context)
    for n in range(2):
        yield dg.DynamicOutput(n, output_name="values", mapping_key=f"p{n}")
        yield dg.DynamicOutput(-n, output_name="negatives", mapping_key=f"m{n}")


@dg.graph
def twice(n: int) -> int:
    return inc.alias("second")(inc.alias("first")(n))


@dg.job
def dynamic_shapes() -> None:
    total(numbers().map(inc).map(inc.alias("again")).collect())
    values, negatives = signed()
    total.alias("positives")(values.collect())
    total.alias("mapped_graph")(negatives.map(twice).collect())


@dg.op(config_schema={"step": dg.Field(int, default_value=10)})
def add_step(context: dg.OpExecutionContext, n: int) -> int:
    _note(context)
    record_run(f"step={context.op_config['step']}")  # which config reached it: default, mapping or the job's
    return n + int(context.op_config["step"])


@dg.graph(
    config=dg.ConfigMapping(
        config_schema={"step": dg.Field(int, default_value=5)},
        config_fn=lambda c: {"add_step": {"config": {"step": c["step"]}}},
    )
)
def stepped(n: int) -> int:
    return add_step(n)


@dg.graph
def outer(n: int) -> int:
    return stepped(inc(n))  # type: ignore[return-value]


@dg.success_hook
def noted(context: dg.HookContext) -> None:
    record_run(f"hook {context.op.name}")


@dg.job(hooks={noted})
def nested() -> None:
    outer(start())


@dg.job(config={"ops": {"add_step": {"config": {"step": 3}}}})
def configured() -> None:
    add_step(start())


defs = dg.Definitions(jobs=[linear, fan_in, branching, dynamic_shapes, nested, configured])
