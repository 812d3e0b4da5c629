"""Static and multi-dimensional partitions → Argo fan-out (`withItems`) over the keys known when compiling.

A `StaticPartitionsDefinition`, or a `MultiPartitionsDefinition` of one time-window dimension × one static
dimension, has keys the compiler can list: the static keys (for a static × static multi-partition, every key). Each
DAG puts the assets of one such definition into a per-key DAG template (`<dag>-each-<first task>`) and runs it once
per key with `withItems`, so each key's chain of assets runs on its own: a failing key stops only its own chain,
retries are per pod and so per key. The DAG holding the fan-out gets `parallelism` (`[tool.compiler]
fan_out_parallelism`) and `failFast: false` (one key's failure must not stop Argo from starting the next keys); every
fanned-out pod receives that bound as env `FAN_OUT_PARALLELISM` (e.g. to share an API's rate budget) and its key as
`--static-key`. The time key is never chosen here: each pod evaluates Dagster's schedule for its tick and keeps the
run request whose static part is its key (`compiler/materialize/fan_out_key.py`).
"""

import graphlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

# the per-key DAG's and the step's input (`materialize --static-key`), defined with Argo's names; re-exported
from compiler.argo import STATIC_KEY_PARAMETER as STATIC_KEY_PARAMETER
from compiler.builder.model import FanOutSpec
from compiler.builder.naming import NAME_LIMIT, fit_name, sanitise, with_hash
from compiler.errors import UnsupportedInputError

if TYPE_CHECKING:  # plan.py imports this module; Dagster is imported only where a definition is read
    import dagster as dg

FAN_OUT_PARALLELISM_ENV = "FAN_OUT_PARALLELISM"
FAN_OUT_TASK_PREFIX = "each-"


def read_fan_out(name: str, partitions: "dg.PartitionsDefinition | None") -> FanOutSpec | None:
    """The fan-out of a static or multi-dimensional definition; None for any other kind (checked elsewhere)."""
    import dagster as dg

    if isinstance(partitions, dg.StaticPartitionsDefinition):
        keys = _checked(name, tuple(partitions.get_partition_keys()))
        return FanOutSpec(keys, f"static keys {list(keys)}")
    if not isinstance(partitions, dg.MultiPartitionsDefinition):
        return None
    dimensions = partitions.partitions_defs
    kinds = [type(d.partitions_def).__name__ for d in dimensions]
    static = [d for d in dimensions if isinstance(d.partitions_def, dg.StaticPartitionsDefinition)]
    windows = [d for d in dimensions if isinstance(d.partitions_def, dg.TimeWindowPartitionsDefinition)]
    shown = " × ".join(f"{d.name} ({kind})" for d, kind in zip(dimensions, kinds, strict=True))
    if len(static) == len(dimensions):  # static × static: every key is known when compiling
        keys = _checked(name, tuple(str(key) for key in partitions.get_partition_keys()))
        return FanOutSpec(keys, f"multi-partition {shown} keys {list(keys)}")
    if len(static) == 1 and len(windows) == 1:
        from compiler.builder.partitions import describe_time_window  # partitions.py refuses the other kinds

        keys = _checked(name, tuple(static[0].partitions_def.get_partition_keys()))
        window = describe_time_window(windows[0].partitions_def)  # type: ignore[arg-type]
        return FanOutSpec(
            keys, f"multi-partition {windows[0].name} ({window}) × {static[0].name} {list(keys)}", static[0].name
        )
    raise UnsupportedInputError(
        f"asset {name}: MultiPartitionsDefinition {shown} is not supported: only one time-window dimension × one "
        "static dimension, or static × static, has keys the compiler can fan out over when compiling (a dynamic "
        "dimension's keys are only known at run time); make every dimension but the time one a "
        "StaticPartitionsDefinition"
    )


def _checked(name: str, keys: tuple[str, ...]) -> tuple[str, ...]:
    """Argo evaluates `{{...}}` in a `withItems` item; such a key would change meaning."""
    for key in keys:
        if "{{" in key or "}}" in key:
            raise UnsupportedInputError(
                f"asset {name}: partition key {key!r} contains '{{{{' or '}}}}', which Argo would evaluate as an "
                "expression when fanning out over it; rename the key"
            )
    return keys


@dataclass(frozen=True)
class Member:
    """One asset task of a DAG, as plan.py built it, with the fan-out it belongs to (None: runs once)."""

    name: str
    depends: tuple[str, ...]
    fan_out: FanOutSpec | None


@dataclass(frozen=True)
class Group:
    """The assets of one definition inside one DAG: a per-key DAG template run with `withItems`."""

    task: str  # the fan-out task in the outer DAG
    template: str  # the per-key DAG template
    members: tuple[str, ...]  # asset task names, in DAG order
    keys: tuple[str, ...]
    depends: tuple[str, ...]  # outer DAG tasks the fan-out task waits for


def group_fan_outs(dag: str, members: Sequence[Member]) -> tuple[list[Group], dict[str, str]]:
    """The fan-out groups of one DAG and, for every member task, the outer task that stands for it (itself, or
    its group's fan-out task). Exit 2 when grouping would make a cycle (an asset outside the fan-out between two
    of its assets: each key's chain could not run as one DAG)."""
    by_definition: dict[str, list[Member]] = {}
    for member in members:
        if member.fan_out is not None:
            by_definition.setdefault(member.fan_out.definition, []).append(member)
    if not by_definition:
        return [], {member.name: member.name for member in members}
    taken = {member.name for member in members}
    outer: dict[str, str] = {member.name: member.name for member in members}
    named: list[tuple[str, str, list[Member]]] = []
    for definition_members in by_definition.values():
        first = definition_members[0].name
        task = _unique(f"{FAN_OUT_TASK_PREFIX}{first}", taken)
        taken.add(task)
        template = fit_name(f"{dag}-{task}")
        named.append((task, template, definition_members))
        for member in definition_members:
            outer[member.name] = task
    groups = []
    for task, template, definition_members in named:
        inside = {member.name for member in definition_members}
        depends = sorted({outer[d] for m in definition_members for d in m.depends if d not in inside} - {task})
        keys = definition_members[0].fan_out.keys if definition_members[0].fan_out else ()
        groups.append(Group(task, template, tuple(m.name for m in definition_members), keys, tuple(depends)))
    _check_acyclic(dag, members, outer)
    return groups, outer


def _check_acyclic(dag: str, members: Sequence[Member], outer: Mapping[str, str]) -> None:
    graph: dict[str, set[str]] = {}
    for member in members:
        graph.setdefault(outer[member.name], set()).update(
            outer[d] for d in member.depends if outer[d] != outer[member.name]
        )
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        cycle = " -> ".join(error.args[1])
        raise UnsupportedInputError(
            f"DAG {dag}: tasks {cycle} form a cycle once each partitions definition's assets run as one per-key "
            "DAG: an asset partitioned differently sits between two assets of the same fan-out; give it the same "
            "partitions definition or put it in another job"
        ) from None


def _unique(name: str, taken: set[str]) -> str:
    base = sanitise(name)
    fitted = base if len(base) <= NAME_LIMIT else with_hash(base, name, NAME_LIMIT)
    return fitted if fitted not in taken else with_hash(base, f"{name}#fan-out", NAME_LIMIT)
