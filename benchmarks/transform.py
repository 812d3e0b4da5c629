"""Transform benchmark: stored raw JSON bytes → clean table → parquet bytes, pipeline vs naive baseline vs floor.

Each variant runs in its own fresh process (`benchmarks.transform_worker`) so peak memory is not polluted by the
others; runs are interleaved so all variants see the same machine load.
"""

from benchmarks.measure import Samples, worker_json
from benchmarks.report import Row
from benchmarks.synthetic_raw import cached_raw_file

VARIANT_NAMES = ("pipeline", "naive", "pyarrow_floor")
SPEEDUP_TARGET, MEMORY_TARGET, FLOOR_TARGET = 3.0, 0.5, 2.0


def transform(sizes: list[int], runs_for: dict[int, int]) -> list[Row]:
    rows: list[Row] = []
    for size in sizes:
        path = str(cached_raw_file(size))
        results: dict[str, list[dict[str, float]]] = {name: [] for name in VARIANT_NAMES}
        for _ in range(runs_for.get(size, 1)):
            for name in VARIANT_NAMES:
                results[name].append(worker_json("benchmarks.transform_worker", name, path))
        kept = {name: {int(r["rows"]) for r in runs} for name, runs in results.items()}
        if len({frozenset(k) for k in kept.values()}) != 1:
            raise RuntimeError(f"{size:,} rows: the variants kept different row counts {kept}")
        throughput = {n: Samples(tuple(size / r["seconds"] for r in runs)) for n, runs in results.items()}
        memory = {n: Samples(tuple(r["peak_bytes"] / 2**20 for r in runs)) for n, runs in results.items()}
        for name in VARIANT_NAMES:
            rows.append(Row("transform", f"{size:,} rows: {name} throughput", throughput[name], "rows/s"))
            rows.append(Row("transform", f"{size:,} rows: {name} peak memory", memory[name], "MiB"))
        speedup = throughput["pipeline"].median / throughput["naive"].median
        memory_ratio = memory["pipeline"].median / memory["naive"].median
        floor_ratio = throughput["pyarrow_floor"].median / throughput["pipeline"].median
        targets = size >= 1_000_000
        rows.append(
            _ratio(
                size,
                "pipeline / naive throughput",
                speedup,
                f">= {SPEEDUP_TARGET}x",
                speedup >= SPEEDUP_TARGET,
                targets,
            )
        )
        rows.append(
            _ratio(
                size,
                "pipeline / naive peak memory",
                memory_ratio,
                f"<= {MEMORY_TARGET}x",
                memory_ratio <= MEMORY_TARGET,
                targets,
            )
        )
        rows.append(
            _ratio(
                size, "floor / pipeline time", floor_ratio, f"<= {FLOOR_TARGET}x", floor_ratio <= FLOOR_TARGET, targets
            )
        )
    return rows


def _ratio(size: int, what: str, value: float, target: str, met: bool, has_target: bool) -> Row:
    verdict = f"target {target}: {'met' if met else 'NOT met'}" if has_target else f"(target {target} applies at 1M)"
    return Row("transform", f"{size:,} rows: {what}", Samples((value,)), "x", verdict)
