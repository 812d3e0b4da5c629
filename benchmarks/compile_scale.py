"""`build` of a large synthetic project in a fresh process against Dagster's own load of the same Definitions.

The floor is what Dagster does to load a code location: a fresh process that imports dagster, imports the module
(defining every asset) and resolves the Definitions' asset graph. The subject is the real
`python -m compiler build --module benchmarks.synthetic_location --out TMP` in a fresh process, loading the same
module (benchmarks/synthetic_location.py reads the shape and size from the environment). Runs are interleaved; the
ratio is taken per pair. The verdict is on CPU seconds, as the growth fit's: on a shared machine wall time adds
however long each process waited for a core, and build's CPU includes its structure-check child, which wall time
would let run free on the second core. Peak memory is each whole process's (the launcher's `ru_maxrss`).

Until large outputs are split across several WorkflowTemplates, the size budget refuses to write a 10,000-asset
WorkflowTemplate (exit 2): that refusal is build's last step, after load, plan, render, parse-back and validation,
so the time still covers the whole compile, and the row says nothing was written. Any other failure stops the
benchmark.
"""

import tempfile
from pathlib import Path

from benchmarks.compile_worker import SIZE_REFUSAL
from benchmarks.measure import PYTHON, Samples, launch, ratios
from benchmarks.report import Row
from benchmarks.synthetic_location import ASSETS_ENV, SHAPE_ENV
from benchmarks.targets import BUILD_VS_DAGSTER_LOAD

LOCATION = "benchmarks.synthetic_location"
TARGET_ASSETS = 10_000  # the build / Dagster load target applies at this size
DAGSTER_LOAD = [
    PYTHON,
    "-c",
    f"import dagster, importlib; importlib.import_module({LOCATION!r}).defs.resolve_asset_graph()",
]


def refused_by_size(returncode: int, stderr: str) -> bool:
    """build's exit 2 from the size budget, the only failure this benchmark tolerates (see the module docstring)."""
    return returncode == 2 and SIZE_REFUSAL in stderr


def build_vs_dagster_load(shapes: tuple[str, ...], size: int, runs: int) -> list[Row]:
    rows: list[Row] = []
    for shape in shapes:
        env = {SHAPE_ENV: shape, ASSETS_ENV: str(size)}
        floor: list[float] = []
        build: list[float] = []
        floor_cpu: list[float] = []
        build_cpu: list[float] = []
        floor_peak: list[float] = []
        build_peak: list[float] = []
        refused: set[bool] = set()
        for _ in range(runs):
            loaded = launch(DAGSTER_LOAD, env=env)
            with tempfile.TemporaryDirectory(prefix="air-quality-bench-scale-") as out:
                argv = [PYTHON, "-m", "compiler", "build", "--module", LOCATION, "--out", str(Path(out) / "argo_out")]
                built = launch(argv, env=env, accept=refused_by_size)
            floor.append(loaded.seconds)
            build.append(built.seconds)
            floor_cpu.append(loaded.cpu_seconds)
            build_cpu.append(built.cpu_seconds)
            floor_peak.append(loaded.peak_mib)
            build_peak.append(built.peak_mib)
            refused.add(built.returncode != 0)
        label = f"{shape} {size:,} assets"
        written = (
            "the size budget refused to write (exit 2, after the whole compile): nothing written"
            if True in refused
            else "written"
        )
        rows += [
            Row(
                "compile",
                f"{label}: Dagster load floor (import dagster + Definitions + asset graph)",
                Samples(tuple(floor)),
                "s",
            ),
            Row("compile", f"{label}: build, fresh process", Samples(tuple(build)), "s", written),
            Row(
                "compile",
                f"{label}: CPU: build / Dagster load floor",
                ratios(build_cpu, floor_cpu),
                "x",
                f"CPU seconds, build's structure-check child included (target applies at {TARGET_ASSETS:,} assets)",
                BUILD_VS_DAGSTER_LOAD if size == TARGET_ASSETS else None,
            ),
            Row("compile", f"{label}: build / Dagster load floor, wall", ratios(build, floor), "x", "no target"),
            Row("compile", f"{label}: build peak memory (whole process)", Samples(tuple(build_peak)), "MiB", written),
            Row("compile", f"{label}: Dagster load floor peak memory", Samples(tuple(floor_peak)), "MiB"),
        ]
    return rows
