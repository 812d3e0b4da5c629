"""Argo's template `parallelism` and `failFast` for the children of the entrypoint DAG.

When the entrypoint fans out (`withItems` over a nested DAG, as a `compiler backfill` Workflow does), Argo counts
each running child DAG as one active child of the entrypoint and starts no new child while `parallelism` are
active; children start in item order. A failure inside a child stops only that child's DAG (its own failFast); the
entrypoint stops starting children only when its own failFast is on.
"""

from collections import Counter
from collections.abc import Sequence
from typing import Protocol


class GroupedTask(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def group(self) -> str: ...


class GroupGate:
    def __init__(
        self,
        tasks: Sequence[GroupedTask],
        limit: int | None,
        fail_fast_within: bool,
        inner_limit: int | None = None,
    ) -> None:
        self._inner_limit = inner_limit
        self._order = list(dict.fromkeys(task.group for task in tasks if task.group))
        self._limit = limit
        self._fail_fast_within = fail_fast_within
        self._admitted: list[str] = []
        self._pending = Counter(task.group for task in tasks if task.group)
        self._running: Counter[str] = Counter()
        self._stopped: set[str] = set()
        self._running_plain = 0  # the entrypoint's own tasks running now: each is one active child, as a group is

    def may_start(self, task: GroupedTask) -> bool:
        group = task.group
        if not group:  # a pod of the entrypoint DAG itself: its parallelism (the executor's max_concurrent) counts it
            return self._limit is None or self._active() < self._limit
        if group in self._stopped:
            return False
        if group in self._admitted:
            return self._inner_limit is None or self._running[group] < self._inner_limit
        waiting = [g for g in self._order if g not in self._admitted]
        if not waiting or waiting[0] != group:
            return False  # children start in item order
        return self._limit is None or self._active() < self._limit

    def _active(self) -> int:
        return self._running_plain + sum(1 for g in self._admitted if self._is_active(g))

    def started(self, task: GroupedTask) -> None:
        if not task.group:
            self._running_plain += 1
        if task.group:
            if task.group not in self._admitted:
                self._admitted.append(task.group)
            self._pending[task.group] -= 1
            self._running[task.group] += 1

    def finished(self, task: GroupedTask, succeeded: bool) -> None:
        if not task.group:
            self._running_plain -= 1
        if task.group:
            self._running[task.group] -= 1
            if not succeeded and self._fail_fast_within:
                self._stopped.add(task.group)

    def dropped(self, task: GroupedTask) -> None:
        """A pending task that will never run (its upstream failed)."""
        if task.group:
            self._pending[task.group] -= 1

    def _is_active(self, group: str) -> bool:
        return self._running[group] > 0 or (group not in self._stopped and self._pending[group] > 0)
