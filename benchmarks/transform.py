"""Transform benchmark: raw JSON bytes → clean table → parquet bytes; the pipeline, the naive baseline, two floors.

Each variant runs in its own fresh process measured by the launcher (peak memory includes imports and the input);
runs are interleaved so all variants see the same machine load, and ratios are taken per run.
"""

from benchmarks.measure import PYTHON, Samples, launch, ratios
from benchmarks.report import Row
from benchmarks.synthetic_raw import cached_raw_file
from benchmarks.targets import TRANSFORM_FLOOR, TRANSFORM_MEMORY, TRANSFORM_SPEEDUP
from benchmarks.transform_variants import INPUT_FORM, VARIANTS

TARGET_ROWS = 1_000_000  # the targets apply to a day of a million sensor-hours


def _run(variant: str, size: int) -> tuple[float, float, int]:
    """(seconds of the variant's own work, peak MiB of its whole process, rows kept)."""
    path = cached_raw_file(size, INPUT_FORM[variant])
    launched = launch([PYTHON, "-m", "benchmarks.transform_worker", variant, str(path)])
    result = launched.last_json()
    return result["seconds"], launched.peak_mib, int(result["rows"])


def transform(sizes: list[int], runs: int) -> list[Row]:
    rows: list[Row] = []
    for size in sizes:
        seconds: dict[str, list[float]] = {name: [] for name in VARIANTS}
        memory: dict[str, list[float]] = {name: [] for name in VARIANTS}
        kept: set[int] = set()
        for _ in range(runs):
            for name in VARIANTS:
                run_seconds, peak, rows_kept = _run(name, size)
                seconds[name].append(run_seconds)
                memory[name].append(peak)
                kept.add(rows_kept)
        if len(kept) != 1:
            raise RuntimeError(f"{size:,} rows: the variants kept different row counts {sorted(kept)}")
        label = f"{size:,} rows"
        for name in VARIANTS:
            throughput = Samples(tuple(size / s for s in seconds[name]))
            rows.append(Row("transform", f"{label}: {name} throughput", throughput, "rows/s"))
            rows.append(
                Row("transform", f"{label}: {name} peak memory (whole process)", Samples(tuple(memory[name])), "MiB")
            )
        at_target = size == TARGET_ROWS
        later = f"(target applies at {TARGET_ROWS:,} rows)"
        rows += [
            Row(
                "transform",
                f"{label}: pipeline / naive throughput",
                ratios(seconds["naive"], seconds["pipeline"]),
                "x",
                later,
                TRANSFORM_SPEEDUP if at_target else None,
            ),
            Row(
                "transform",
                f"{label}: pipeline / naive peak memory",
                ratios(memory["pipeline"], memory["naive"]),
                "x",
                later,
                TRANSFORM_MEMORY if at_target else None,
            ),
            Row(
                "transform",
                f"{label}: pipeline time / multi-threaded floor time (pyarrow on NDJSON)",
                ratios(seconds["pipeline"], seconds["pyarrow_ndjson_floor"]),
                "x",
                later,
                TRANSFORM_FLOOR if at_target else None,
            ),
            Row(
                "transform",
                f"{label}: pipeline time / single-block floor time (pyarrow on the document)",
                ratios(seconds["pipeline"], seconds["pyarrow_document_floor"]),
                "x",
                "the floor before issue 17; no target",
            ),
        ]
    return rows
