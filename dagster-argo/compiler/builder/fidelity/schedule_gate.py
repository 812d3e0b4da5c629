"""The `schedule-gate` task of a DAG whose schedule has code of its own (`@schedule`, `should_execute=`).

The gate runs first (compiler/materialize/gate.py evaluates the Dagster schedule for the tick) and writes one output
parameter per task, `true` or `false`. Every task gets `when: "{{tasks.<gate>.outputs.parameters.<task>}} == true"`:
Argo substitutes the output and evaluates the comparison (govaluate), and a task whose `when` is false ends
Skipped on the controller, so no pod starts. Root tasks `depends` on the gate; the others reach it through their
upstream tasks (Argo resolves `tasks.X.outputs` of any ancestor), and `depends: "a"` holds when `a` was Skipped,
so a downstream asset the tick does select still runs (as Dagster runs a selected asset whose upstream it did not
select) while one it does not select is Skipped by its own `when`.
"""

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from compiler.errors import UnsupportedInputError

if TYPE_CHECKING:  # plan_types.py imports `Gate` from here
    from compiler.builder.model import ScheduleSpec
    from compiler.builder.plan_types import Dag, Task

GATE_TASK = "schedule-gate"
GATE_TEMPLATE_PREFIX = "schedule-gate-"
FUSED, FAN_OUT, WHOLE_JOB = "fused", "fan-out", "whole-job"  # GateEntry.group
OUTPUT_DIRECTORY = "/tmp/schedule-gate"  # noqa: S108 - on the pod's /tmp volume (the root file system is read-only)


@dataclass(frozen=True)
class GateEntry:
    task: str
    asset: str  # the task's `asset` argument (a/b,c/d)
    # what runs several assets as one task, so a tick must select all or none of them: "fused" (a fused chain,
    # compiler/builder/fusion.py), "fan-out" (a `withItems` task running a per-key DAG) or "whole-job" (a chunk
    # task of a split DAG: the tick must select the whole job or none of it); the gate's flag `--<group>`
    group: str = ""

    @property
    def path(self) -> str:
        return f"{OUTPUT_DIRECTORY}/{self.task}"

    @property
    def path_variable(self) -> str:
        return "{{outputs.parameters." + self.task + ".path}}"


@dataclass(frozen=True)
class Gate:
    template: str
    task: str
    entries: tuple[GateEntry, ...]
    # a schedule of its job selected only some of the job's assets at a tick sampled at build time; otherwise the
    # gate answers the same for every task: it filters ticks (compiler/builder/fidelity/dst_cover.py), or the
    # schedule's code skips a tick or requests the whole job
    selects: bool = True


def gate_task_name(task_names: Iterable[str]) -> str:
    """`schedule-gate`, unless an asset's task already has that name."""
    taken = set(task_names)
    name = GATE_TASK
    while name in taken:
        name = f"{name}-x"
    return name


def when_selected(gate_task: str, task: str) -> str:
    return "{{tasks." + gate_task + ".outputs.parameters." + task + "}} == true"


def with_gate(dag: "Dag", template_name: str, nested_assets: Mapping[str, str], selects: bool = True) -> "Dag":
    """The DAG with the gate task added and every task's `when` set. A fan-out's
    `withItems` task is gated on the assets of the per-key DAG it runs (`nested_assets`, by that DAG's name).
    `selects`: see Gate."""
    tasks = dag.tasks
    gate_task = gate_task_name(task.name for task in tasks)
    gated = _under_gate(tasks, gate_task)
    entries = tuple(
        GateEntry(task.name, nested_assets[task.template], FAN_OUT) if task.items else GateEntry(task.name, task.asset)
        for task in tasks
    )
    gate = Gate(template_name, gate_task, entries, selects)
    return dataclasses.replace(dag, tasks=gated, gate=gate)


def without_gate(dag: "Dag") -> "Dag":
    """The DAG as it was before `with_gate`: no gate, no `when`, the root tasks depending on nothing."""
    if dag.gate is None:
        return dag
    gate_task = dag.gate.task
    tasks = tuple(
        dataclasses.replace(task, when="", depends=tuple(d for d in task.depends if d != gate_task))
        for task in dag.tasks
    )
    return dataclasses.replace(dag, tasks=tasks, gate=None)


def gated_as_one(dag: "Dag", gate: Gate) -> "Dag":
    """`dag` (the chunk tasks of a split DAG) under `gate`, which answers the same for every task at the ticks
    sampled at build time (a Dagster tick runs the whole job, a cron entry that is no Dagster tick or a skipped tick
    none of it). Each chunk task gets a `whole-job` entry: the gate writes whether the tick selects the job, and
    fails (exit 2) at a tick that selects only part of it, which the chunks could not follow."""
    if gate.selects:
        raise ValueError(f"gate {gate.task} selects per task")  # split.py refuses such DAGs instead
    first = gate.entries[0]
    entries = tuple(GateEntry(task.name, first.asset, WHOLE_JOB) for task in dag.tasks)
    return dataclasses.replace(
        dag, tasks=_under_gate(dag.tasks, gate.task), gate=dataclasses.replace(gate, entries=entries)
    )


def _under_gate(tasks: "tuple[Task, ...]", gate_task: str) -> "tuple[Task, ...]":
    """Every task's `when` reads its own gate output; the root tasks depend on the gate."""
    return tuple(
        dataclasses.replace(task, depends=task.depends or (gate_task,), when=when_selected(gate_task, task.name))
        for task in tasks
    )


def check_gated_fan_outs(gated: Iterable[tuple["ScheduleSpec", "Dag"]]) -> None:
    """Refuses a schedule whose sampled tick selects only some assets of a fan-out in its
    gated DAG: the `withItems` task runs the whole per-key DAG, where Dagster would run the subset."""
    for schedule, dag in gated:
        for entry in dag.gate.entries if dag.gate else ():
            if entry.group != FAN_OUT:
                continue
            keys = [tuple(key.split("/")) for key in entry.asset.split(",")]
            for tick, selected in schedule.sampled_selections:
                chosen = [key for key in keys if key in selected]
                if chosen and len(chosen) < len(keys):
                    raise UnsupportedInputError(
                        f"schedule {schedule.name}: asset_selection names only {_listed(chosen)} of the fan-out "
                        f"{_listed(keys)}, which runs as one task per key; select all of them or none "
                        f"(tick at {tick})"
                    )


def _listed(keys: Iterable[tuple[str, ...]]) -> str:
    return ", ".join("/".join(key) for key in keys)
