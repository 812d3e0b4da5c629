"""Cutting a DAG into chunks (compiler/builder/dag_chunks.py): every task once, every chunk within its budget,
dependencies inside a chunk kept task to task, and what a failure skips computed by brute force from Argo's rules
(a failed task fails its chunk's DAG node; every chunk depending on it, transitively, is omitted) against Dagster's
(a failed asset skips exactly its downstream assets)."""

import graphlib
import json

from compiler.builder.dag_chunks import Chunking, chunk_tasks, task_size
from compiler.builder.plan_types import Task

BUDGET = 40 * task_size(Task("a-0000", "materialize", "a_0000", ("a-0000",)))


def _tasks(parents: dict[int, list[int]]) -> list[Task]:
    return [Task(f"a-{i:04d}", "materialize", f"a_{i:04d}", tuple(f"a-{p:04d}" for p in parents[i])) for i in parents]


def _downstream(tasks: list[Task]) -> dict[str, set[str]]:
    children: dict[str, set[str]] = {t.name: set() for t in tasks}
    for task in tasks:
        for dep in task.depends:
            children[dep].add(task.name)
    result: dict[str, set[str]] = {}
    for name in reversed(list(graphlib.TopologicalSorter({t.name: set(t.depends) for t in tasks}).static_order())):
        result[name] = set().union(*({c} | result[c] for c in children[name])) if children[name] else set()
    return result


def _check(tasks: list[Task], chunking: Chunking) -> int:
    """Asserts the chunks' shape; returns how many assets some failure skips that Dagster runs (brute force)."""
    placed = [t.name for c in chunking.chunks for t in c.tasks]
    assert sorted(placed) == sorted(t.name for t in tasks)
    chunk_of = {t.name: c.key for c in chunking.chunks for t in c.tasks}
    original = {t.name: set(t.depends) for t in tasks}
    for chunk in chunking.chunks:
        assert sum(task_size(t) for t in chunk.tasks) <= BUDGET
        for task in chunk.tasks:
            assert set(task.depends) == {d for d in original[task.name] if chunk_of[d] == chunk.key}
            assert {chunk_of[d] for d in original[task.name]} - {chunk.key} <= set(chunk.depends)
    dependents: dict[str, set[str]] = {c.key: set() for c in chunking.chunks}
    for chunk in chunking.chunks:
        for upstream in chunk.depends:
            dependents[upstream].add(chunk.key)
    graphlib.TopologicalSorter({c.key: set(c.depends) for c in chunking.chunks}).prepare()  # acyclic
    downstream = _downstream(tasks)
    members = {c.key: {t.name for t in c.tasks} for c in chunking.chunks}
    over: set[str] = set()
    for task in tasks:
        omitted: set[str] = set()
        stack = list(dependents[chunk_of[task.name]])
        while stack:
            key = stack.pop()
            if not members[key] <= omitted:
                omitted |= members[key]
                stack.extend(dependents[key])
        over |= omitted - downstream[task.name]
    return len(over)


def test_a_chain_is_cut_without_skipping_more_than_dagster() -> None:
    tasks = _tasks({i: [i - 1] if i else [] for i in range(200)})
    chunking = chunk_tasks(tasks, BUDGET)
    assert len(chunking.chunks) > 4
    assert _check(tasks, chunking) == chunking.over_skipped == 0


def test_a_tree_is_cut_at_its_roots_so_a_failure_skips_only_its_subtree() -> None:
    tasks = _tasks({i: [(i - 1) // 3] if i else [] for i in range(400)})
    chunking = chunk_tasks(tasks, BUDGET)
    assert len(chunking.chunks) > 4
    assert _check(tasks, chunking) == chunking.over_skipped == 0


def test_independent_groups_share_buckets_and_a_wide_fan_in_is_warned_exactly() -> None:
    parents: dict[int, list[int]] = {i: [] for i in range(100)}  # 100 independent assets
    parents |= {100 + i: [100 + i - 1] if i else [] for i in range(30)}  # a chain that fits one chunk
    parents |= {200 + i: [] for i in range(60)} | {260: list(range(200, 260))}  # 60 roots feeding one asset
    tasks = _tasks(parents)
    chunking = chunk_tasks(tasks, BUDGET)
    assert _check(tasks, chunking) == chunking.over_skipped
    assert chunking.over_skipped > 0  # the 60 roots need two chunks: a failed root skips the other chunk's roots


def test_the_same_tasks_chunk_the_same_way() -> None:
    tasks = _tasks({i: [(i - 1) // 2] if i else [] for i in range(300)})
    assert chunk_tasks(tasks, BUDGET) == chunk_tasks(list(tasks), BUDGET)


def test_a_fan_out_tasks_items_count_as_json_spells_them() -> None:
    """`task_size` counts a task's `withItems` list at its JSON length, escapes and separators included."""
    empty = task_size(Task("a-0000", "per-key", "a_0000", ()))
    for items in [(), ("k",), ("2024-01-01", "2024-01-02"), ('q"uote', "é", "\U0001f600", "back\\slash", "")]:
        with_items = task_size(Task("a-0000", "per-key", "a_0000", (), items=items))
        assert with_items - empty == len(json.dumps(items)) - len(json.dumps(())), items
