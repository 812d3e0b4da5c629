"""Compiler benchmarks: the project's `build --check` against an import floor, and growth with project size."""

from benchmarks.measure import PYTHON, Samples, wall_time, worker_json
from benchmarks.report import Row

IMPORT_FLOOR = [PYTHON, "-c", "import dagster, assets; assets.defs"]
BUILD_CHECK = [PYTHON, "-m", "compiler", "build", "--check"]
CHECK_TARGET = 1.3
GROWTH_TARGET = 1.5  # per-asset time at 5,000 assets at most this multiple of the time at 1,000: linear enough


def project_check(runs: int) -> list[Row]:
    """Interleaved runs, so both commands see the same machine load; the ratio is taken per pair."""
    floors, checks = [], []
    for _ in range(runs):
        floors.append(wall_time(IMPORT_FLOOR))
        checks.append(wall_time(BUILD_CHECK))
    ratios = Samples(tuple(c / f for c, f in zip(checks, floors, strict=True)))
    verdict = f"target <= {CHECK_TARGET}x: {'met' if ratios.median <= CHECK_TARGET else 'NOT met'}"
    return [
        Row("compile", "import floor: python -c 'import dagster, assets; assets.defs'", Samples(tuple(floors)), "s"),
        Row("compile", "python -m compiler build --check (the project)", Samples(tuple(checks)), "s"),
        Row("compile", "build --check / import floor", ratios, "x", verdict),
    ]


def synthetic_growth(sizes: list[int], runs: int) -> list[Row]:
    """Compile time per asset (load + plan + render + validate; defining the assets is Dagster's cost, not ours)."""
    rows: list[Row] = []
    for shape in ("chain", "wide"):
        per_asset: dict[int, Samples] = {}
        for size in sizes:
            results = [worker_json("benchmarks.compile_worker", shape, str(size)) for _ in range(runs)]
            per_asset[size] = Samples(tuple(1000 * r["compile_s"] / size for r in results))
            define = Samples(tuple(1000 * r["define_s"] / size for r in results))
            rows.append(Row("compile", f"{shape} {size:,} assets: compile per asset", per_asset[size], "ms"))
            rows.append(Row("compile", f"{shape} {size:,} assets: define with Dagster per asset", define, "ms"))
        smallest_big, largest = (1000, max(sizes)) if 1000 in sizes and max(sizes) > 1000 else (min(sizes), max(sizes))
        if largest > smallest_big:
            growth = Samples((per_asset[largest].median / per_asset[smallest_big].median,))
            verdict = f"linear if <= {GROWTH_TARGET}: {'met' if growth.median <= GROWTH_TARGET else 'NOT met'}"
            what = f"{shape}: per-asset time at {largest:,} / at {smallest_big:,}"
            rows.append(Row("compile", what, growth, "x", verdict))
    return rows
