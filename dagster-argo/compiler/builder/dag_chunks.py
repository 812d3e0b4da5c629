"""Cuts one DAG too large for a manifest into chunk DAGs, keeping what a failure skips as Dagster skips it.

Argo's `depends` only names tasks of the same DAG, so once a DAG's tasks sit in several chunk DAGs (each a nested DAG
node run by a task of the original DAG), a dependency between two chunks can only be written between the chunk tasks:
the later chunk waits for the whole earlier one, and a failed task in the earlier chunk (its DAG node then `Failed`)
omits the whole later chunk. Two cuts keep Dagster's meaning exactly:

1. Weakly connected components never depend on each other, so components are packed into buckets by a stable hash
   of their first task's name: no chunk depends on another, and adding an asset touches one bucket.
2. A component too large for one chunk is cut in topological order into consecutive chunks. That is exact when every
   task a chunk's failure would omit is downstream of every task in that chunk (a chain is); otherwise a failed asset
   also skips assets that do not depend on it, and `build` warns naming the DAG and how many assets that may skip.
"""

import dataclasses
import graphlib
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii

from compiler.builder.plan_types import Task

TASK_OVERHEAD = 260  # the keys and fixed values of one rendered DAG task, as compact JSON (bytes)
MAX_BUCKETS = 1 << 16


@dataclass(frozen=True)
class Chunk:
    key: str  # stable within its DAG: the bucket number, or bucket and sequence number for a cut component
    tasks: tuple[Task, ...]
    depends: tuple[str, ...] = ()  # keys of the chunks it waits for


@dataclass(frozen=True)
class Chunking:
    chunks: tuple[Chunk, ...]
    # assets a failure may skip although they do not depend on the failed one (0: Dagster's meaning exactly)
    over_skipped: int = 0


def task_size(task: Task) -> int:
    """The rendered task's compact JSON size, closely over-estimated (escaped strings plus fixed keys)."""
    strings = (task.name, task.template, task.asset, task.depends_expression, task.description, task.owners)
    return TASK_OVERHEAD + 2 * len(task.name) + sum(map(_json_length, strings)) + _json_length(task.items)


def _json_length(value: object) -> int:
    """len(json.dumps(value)): for a string that is its escaped form, which json.dumps takes from the same C
    function after building an encoder per call (seven calls a task at 10,000 assets); for a tuple of strings the
    escaped forms between `[`, `]` and json.dumps' `, ` separators."""
    if isinstance(value, str):
        return len(encode_basestring_ascii(value))
    if isinstance(value, tuple) and all(isinstance(item, str) for item in value):
        return 2 + sum(len(encode_basestring_ascii(item)) for item in value) + 2 * max(len(value) - 1, 0)
    return len(json.dumps(value))


def task_sizes(tasks: Sequence[Task]) -> dict[str, int]:
    """`task_size` of each task, by name (unique in a DAG; cutting changes a task's `depends` only, which it omits)."""
    return {task.name: task_size(task) for task in tasks}


def chunk_tasks(tasks: Sequence[Task], budget: int, sizes: Mapping[str, int] | None = None) -> Chunking:
    """Chunks whose tasks' sizes each sum to at most `budget`; deterministic for the same tasks. `sizes`: their
    `task_sizes`, when the caller has them (the bucket search sums them once per bucket count)."""
    sizes = task_sizes(tasks) if sizes is None else sizes
    components = _components(tasks)
    small = [c for c in components if sum(sizes[t.name] for t in c) <= budget]
    large = [c for c in components if sum(sizes[t.name] for t in c) > budget]
    chunks = list(_buckets(small, sizes, budget))
    over_skipped = 0
    for component in large:
        cut, skipped = _cut(component, sizes, budget, f"{_bucket_hash(component) & 0xFFFF:04x}")
        chunks.extend(cut)
        over_skipped += skipped
    return Chunking(tuple(sorted(chunks, key=lambda c: c.key)), over_skipped)


def _components(tasks: Sequence[Task]) -> list[list[Task]]:
    parent = {task.name: task.name for task in tasks}

    def root(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for task in tasks:
        for dep in task.depends:
            if dep in parent:
                parent[root(task.name)] = root(dep)
    grouped: dict[str, list[Task]] = {}
    for task in tasks:  # the DAG's own order inside each component
        grouped.setdefault(root(task.name), []).append(task)
    return list(grouped.values())


def _bucket_hash(component: Iterable[Task]) -> int:
    first = min(task.name for task in component)
    return int.from_bytes(hashlib.sha256(first.encode("utf-8")).digest()[:8], "big")


def _buckets(components: list[list[Task]], sizes: Mapping[str, int], budget: int) -> Iterable[Chunk]:
    """The fewest power-of-two buckets in which every bucket fits: a component's bucket depends only on its own
    first name and the bucket count, so one more asset changes one bucket unless the count doubles."""
    if not components:
        return []
    hashes = [_bucket_hash(component) for component in components]
    count = 1
    while True:
        buckets: dict[int, list[Task]] = {}
        for component, hashed in zip(components, hashes, strict=True):
            buckets.setdefault(hashed % count, []).extend(component)
        if count >= MAX_BUCKETS or all(sum(sizes[t.name] for t in b) <= budget for b in buckets.values()):
            width = max(1, (count - 1).bit_length() + 3) // 4
            return [Chunk(f"{index:0{width}x}", tuple(b)) for index, b in sorted(buckets.items())]
        count *= 2


def _cut(component: list[Task], sizes: Mapping[str, int], budget: int, key: str) -> tuple[list[Chunk], int]:
    by_name = {task.name: task for task in component}
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for task in component:
        sorter.add(task.name, *(d for d in task.depends if d in by_name))
    order = list(sorter.static_order())
    groups = _groups(order, by_name, sizes, budget)
    chunk_of = {name: index for index, group in enumerate(groups) for name in group}
    keys = [f"{key}-{index}" for index in range(len(groups))]
    chunks = []
    for index, group in enumerate(groups):
        upstream = {chunk_of[d] for name in group for d in by_name[name].depends if d in chunk_of} - {index}
        inner = tuple(_within(by_name[n], chunk_of, index) for n in group)
        chunks.append(Chunk(keys[index], inner, tuple(keys[u] for u in sorted(upstream))))
    return chunks, _over_skipped(order, by_name, groups, chunks, chunk_of)


def _groups(
    names: list[str], by_name: Mapping[str, Task], all_sizes: Mapping[str, int], budget: int
) -> list[list[str]]:
    """Chunks of a connected group, in topological order. When its root tasks are small and the rest falls apart
    into several pieces without them, the roots are a chunk and each piece (packed with its siblings while they fit,
    cut the same way when too large) follows: a failed root then skips only what depends on the roots. Otherwise
    (a chain, or one piece holding nearly everything) consecutive cuts in topological order."""
    sizes = {name: all_sizes[name] for name in names}
    if sum(sizes.values()) <= budget:
        return [names]
    inside = set(names)
    roots = [name for name in names if not any(dep in inside for dep in by_name[name].depends)]
    root_set = set(roots)
    rest = [name for name in names if name not in root_set]
    pieces = _components([by_name[name] for name in rest])  # a dependency on a root joins nothing: not in `rest`
    piece_sizes = [sum(sizes[t.name] for t in piece) for piece in pieces]
    if sum(sizes[r] for r in roots) > budget or len(pieces) < 2 or max(piece_sizes) > 0.9 * sum(sizes.values()):
        return _consecutive(names, sizes, budget)
    groups: list[list[str]] = [roots]
    packed: list[str] = []
    used = 0
    for piece, size in zip(pieces, piece_sizes, strict=True):
        if size > budget:
            groups.extend(_groups([t.name for t in piece], by_name, all_sizes, budget))
            continue
        if packed and used + size > budget:
            groups.append(packed)
            packed, used = [], 0
        packed.extend(t.name for t in piece)
        used += size
    if packed:
        groups.append(packed)
    return groups


def _consecutive(names: list[str], sizes: Mapping[str, int], budget: int) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    used = 0
    for name in names:
        if groups[-1] and used + sizes[name] > budget:
            groups.append([])
            used = 0
        groups[-1].append(name)
        used += sizes[name]
    return groups


def _within(task: Task, chunk_of: Mapping[str, int], index: int) -> Task:
    """The task with the dependencies on its own chunk only: the chunk task waits for the others."""
    depends = tuple(d for d in task.depends if chunk_of.get(d) == index)
    return task if depends == task.depends else dataclasses.replace(task, depends=depends)


def _over_skipped(
    order: list[str],
    by_name: Mapping[str, Task],
    groups: list[list[str]],
    chunks: list[Chunk],
    chunk_of: Mapping[str, int],
) -> int:
    """How many assets some failure omits through a chunk dependency although they are not downstream of it."""
    bit = {name: 1 << index for index, name in enumerate(order)}
    downstream: dict[str, int] = {}
    children: dict[str, list[str]] = {name: [] for name in order}
    for name in order:
        for dep in by_name[name].depends:
            if dep in children:
                children[dep].append(name)
    for name in reversed(order):
        mask = 0
        for child in children[name]:
            mask |= bit[child] | downstream[child]
        downstream[name] = mask
    members = [sum(bit[n] for n in group) for group in groups]
    index_of = {chunk.key: i for i, chunk in enumerate(chunks)}
    reach: list[int] = [0] * len(groups)  # tasks of the chunks a chunk's failure omits
    for index in range(len(groups)):  # topological: a chunk only waits for earlier ones
        for upstream_key in chunks[index].depends:
            upstream = index_of[upstream_key]
            reach[upstream] |= members[index]
    for index in reversed(range(len(groups))):
        for upstream_key in chunks[index].depends:
            reach[index_of[upstream_key]] |= reach[index]
    skipped = 0
    for name in order:
        skipped |= reach[chunk_of[name]] & ~downstream[name]
    return bin(skipped).count("1")
