"""Argo's template `parallelism`, `failFast` and item order for nested DAGs, at any depth.

Every DAG node is a scope: the entrypoint (`""`) and each nested DAG a task runs (`task(0:item)`, one per
`withItems` item), as a `compiler backfill` Workflow (backfill → job DAG → per-key DAG) or a fan-out (job DAG →
per-key DAG) nests them. Argo counts, against a DAG template's `parallelism`, its running pods and its running child
DAG nodes (each nested DAG counts as one, whatever runs inside it: `countActiveChildren` on the boundary node);
children of one `withItems` task start in item order. A failure makes its DAG node fail and so each enclosing node;
a DAG with `failFast` (Argo's default) then starts nothing new, while one with `failFast: false` goes on starting
the children whose dependencies succeeded. Argo marks an enclosing node failed only once the failed child has
finished; here the enclosing DAGs stop at once, which can only start fewer tasks, never more.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

ROOT = ""


@dataclass(frozen=True)
class Scope:
    """A DAG node: its enclosing node (None for the entrypoint), its template's parallelism and failFast, and the
    task it was expanded from (`siblings`) with its item index, for item order."""

    parent: str | None
    limit: int | None
    fail_fast: bool
    siblings: str = ""
    index: int = 0


class GroupedTask(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def group(self) -> str: ...  # the innermost DAG node the pod runs in ("" = the entrypoint)


class ScopeGate:
    def __init__(self, tasks: Sequence[GroupedTask], scopes: Mapping[str, Scope]) -> None:
        self._scopes = dict(scopes)
        self._scopes.setdefault(ROOT, Scope(None, None, True))
        self._children: dict[str, list[str]] = {}
        self._siblings: dict[str, list[str]] = {}
        for name, scope in self._scopes.items():
            if scope.parent is not None:
                self._children.setdefault(scope.parent, []).append(name)
                self._siblings.setdefault(f"{scope.parent}\0{scope.siblings}", []).append(name)
        self._pending: Counter[str] = Counter()
        self._running: Counter[str] = Counter()  # pods running anywhere inside the scope
        self._direct: Counter[str] = Counter()  # pods running directly in the scope
        self._started: set[str] = {ROOT}
        self._stopped: set[str] = set()
        for task in tasks:
            for name in self._chain(task.group):
                self._pending[name] += 1

    @classmethod
    def flat(cls, tasks: Sequence[GroupedTask], fail_fast: bool, limit: int | None = None) -> "ScopeGate":
        return cls(tasks, {ROOT: Scope(None, limit, fail_fast)})

    def may_start(self, task: GroupedTask) -> bool:
        chain = self._chain(task.group)
        if any(scope in self._stopped for scope in chain):
            return False
        for scope in reversed(chain):  # outermost first: each DAG node not yet running needs room in its parent
            if scope in self._started:
                continue
            node = self._scopes[scope]
            earlier = [
                other
                for other in self._siblings[f"{node.parent}\0{node.siblings}"]
                if self._scopes[other].index < node.index
            ]
            if any(other not in self._started and self._is_active(other) for other in earlier):
                return False  # children of one withItems task start in item order
            if node.parent is not None and not self._has_room(node.parent):
                return False
        return self._has_room(task.group)

    def started(self, task: GroupedTask) -> None:
        for scope in self._chain(task.group):
            self._started.add(scope)
            self._pending[scope] -= 1
            self._running[scope] += 1
        self._direct[task.group] += 1

    def finished(self, task: GroupedTask, succeeded: bool) -> None:
        for scope in self._chain(task.group):
            self._running[scope] -= 1
            if not succeeded and self._scopes[scope].fail_fast:
                self._stopped.add(scope)
        self._direct[task.group] -= 1

    def added(self, task: GroupedTask) -> None:
        """A task created while running (a withParam child, compiler/run_local/with_param.py), in a known scope."""
        for scope in self._chain(task.group):
            self._pending[scope] += 1

    def dropped(self, task: GroupedTask) -> None:
        """A pending task that will never run (its upstream failed)."""
        for scope in self._chain(task.group):
            self._pending[scope] -= 1

    def _chain(self, scope: str) -> list[str]:
        """The scope and every enclosing one, innermost first."""
        chain = [scope]
        while (parent := self._scopes[chain[-1]].parent) is not None:
            chain.append(parent)
        return chain

    def _has_room(self, scope: str) -> bool:
        limit = self._scopes[scope].limit
        if limit is None:
            return True
        active = self._direct[scope] + sum(
            1 for child in self._children.get(scope, []) if child in self._started and self._is_active(child)
        )
        return active < limit

    def _is_active(self, scope: str) -> bool:
        if self._running[scope] > 0:
            return True
        return self._pending[scope] > 0 and not any(s in self._stopped for s in self._chain(scope))
