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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GATE_TASK = "schedule-gate"
GATE_TEMPLATE_PREFIX = "schedule-gate-"
OUTPUT_DIRECTORY = "/tmp/schedule-gate"  # noqa: S108 - on the pod's /tmp volume (the root file system is read-only)


@dataclass(frozen=True)
class GateEntry:
    task: str
    asset: str  # the task's `asset` argument (a/b,c/d)
    fused: bool = False  # a fused chain's task (compiler/build/fusion.py): the gate names it so in its refusals

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


def gate_task_name(task_names: Iterable[str]) -> str:
    """`schedule-gate`, unless an asset's task already has that name."""
    taken = set(task_names)
    name = GATE_TASK
    while name in taken:
        name = f"{name}-x"
    return name


def when_selected(gate_task: str, task: str) -> str:
    return "{{tasks." + gate_task + ".outputs.parameters." + task + "}} == true"


def with_gate(dag: Any, template_name: str) -> Any:
    """The DAG (compiler/build/plan.py `Dag`) with the gate task added and every task's `when` set."""
    tasks = dag.tasks
    gate_task = gate_task_name(task.name for task in tasks)
    gated = tuple(
        dataclasses.replace(
            task,
            depends=task.depends or (gate_task,),
            when=when_selected(gate_task, task.name),
        )
        for task in tasks
    )
    gate = Gate(template_name, gate_task, tuple(GateEntry(task.name, task.asset) for task in tasks))
    return dataclasses.replace(dag, tasks=gated, gate=gate)
