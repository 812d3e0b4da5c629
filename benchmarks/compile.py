"""Compiler benchmarks: `build --check` against the named floors, and how compile time grows with project size.

Floors (each a fresh process, interleaved with the subject so both see the same load):
- `python -c "import dagster"`: the floor issue 17's targets name;
- `import dagster` + the code location (`assets.defs`): the project floor, what any tool loading the project pays.
"""

import statistics
import tempfile
from pathlib import Path

from benchmarks.growth import fastest_run_fit, fit_power, marginal_slope
from benchmarks.measure import PYTHON, Samples, launch, ratios
from benchmarks.report import Row
from benchmarks.targets import COMPILE_GROWTH_EXPONENT, COMPILE_VS_DAGSTER_NO_PANDAS, COMPILE_VS_PROJECT_FLOOR

IMPORT_DAGSTER = [PYTHON, "-c", "import dagster"]
NO_PANDAS_MODULE = "benchmarks.no_pandas_location"


def project_floor(module: str, attribute: str = "defs") -> list[str]:
    """`import dagster` + import the code location and touch its Definitions (`assets.defs` is built lazily)."""
    return [PYTHON, "-c", f"import dagster, importlib; importlib.import_module({module!r}).{attribute}"]


def _check(module: str | None, out: Path | None) -> list[str]:
    extra = [] if module is None else ["--module", module]
    return [PYTHON, "-m", "compiler", "build", "--check", *extra, *([] if out is None else ["--out", str(out)])]


def project_check(runs: int) -> list[Row]:
    """The flagship (`assets`) and a pandas-free project of the same shape, each beside both floors."""
    with tempfile.TemporaryDirectory(prefix="air-quality-bench-plain-") as scratch:
        out = Path(scratch)
        launch([PYTHON, "-m", "compiler", "build", "--module", NO_PANDAS_MODULE, "--out", str(out)])
        probe = launch([PYTHON, "-c", f"import sys, {NO_PANDAS_MODULE} as m; m.defs; print('pandas' in sys.modules)"])
        if probe.stdout.strip() != "False":
            raise RuntimeError(f"{NO_PANDAS_MODULE} imports pandas: it cannot stand for a project without pandas")
        commands = {
            "dagster": IMPORT_DAGSTER,
            "project": project_floor("assets"),
            "check": _check(None, None),
            "plain_project": project_floor(NO_PANDAS_MODULE),
            "plain_check": _check(NO_PANDAS_MODULE, out),
        }
        seconds: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, argv in commands.items():
                launched = launch(argv)
                seconds[name].append(launched.seconds)
                cpu[name].append(launched.cpu_seconds)
    s = {name: Samples(tuple(values)) for name, values in seconds.items()}
    return [
        Row("compile", "floor: python -c 'import dagster'", s["dagster"], "s"),
        Row("compile", "project floor: import dagster + assets.defs", s["project"], "s"),
        Row("compile", "build --check (the flagship, assets)", s["check"], "s"),
        Row(
            "compile",
            "build --check / project floor (flagship)",
            ratios(seconds["check"], seconds["project"]),
            "x",
            target=COMPILE_VS_PROJECT_FLOOR,
        ),
        Row(
            "compile",
            "build --check / import dagster (flagship; its assets import pandas)",
            ratios(seconds["check"], seconds["dagster"]),
            "x",
            "no target: the 2x target is for projects without pandas",
        ),
        Row("compile", f"project floor: import dagster + {NO_PANDAS_MODULE}", s["plain_project"], "s"),
        Row("compile", f"build --check ({NO_PANDAS_MODULE}, no pandas)", s["plain_check"], "s"),
        Row(
            "compile",
            "build --check / import dagster (no pandas)",
            ratios(seconds["plain_check"], seconds["dagster"]),
            "x",
            target=COMPILE_VS_DAGSTER_NO_PANDAS,
        ),
        Row(
            "compile",
            "build --check / project floor (no pandas)",
            ratios(seconds["plain_check"], seconds["plain_project"]),
            "x",
            "no target",
        ),
        # CPU seconds (the process and its structure-check child): what the ratios become when no core is free.
        Row(
            "compile",
            "CPU: build --check / project floor (flagship)",
            ratios(cpu["check"], cpu["project"]),
            "x",
            "CPU seconds, child included: the wall ratio with no free core",
        ),
        Row(
            "compile",
            "CPU: build --check / import dagster (no pandas)",
            ratios(cpu["plain_check"], cpu["dagster"]),
            "x",
            "CPU seconds, child included: the wall ratio with no free core",
        ),
    ]


GROWTH_SHAPES = ("chain", "wide", "random", "layered")  # benchmarks/synthetic_project.py


def synthetic_growth(sizes: list[int], runs: int, shapes: tuple[str, ...] = GROWTH_SHAPES) -> list[Row]:
    """Compile time (load → plan → render → validate, in memory, after imports) against the number of assets.

    The verdict is the exponent k of `time ≈ a + b·n^k` (benchmarks/growth.py) fitted on each size's fastest run, in
    CPU seconds; its samples are that fit with each run left out in turn, and one fit per run is shown in the note:
    the compile is single-threaded, so its CPU time is its wall time on an idle machine, while wall time on a shared
    machine adds however long it waited for a core. Wall times are shown and fitted too (no verdict). The compile's
    CPU is also shown in its two parts, each with its own fit (no verdict): Dagster resolving the Definitions'
    repository and asset graph (what any Dagster tool loading them does, and not linear itself), and the compiler's
    own work after it. Defining the assets with Dagster is Dagster's cost, shown apart with its own fit.
    """
    rows: list[Row] = []
    figures = (
        ("compile_cpu_s", "compile, CPU", COMPILE_GROWTH_EXPONENT),
        ("compile_s", "compile, wall", None),
        ("dagster_graph_cpu_s", "of which Dagster's asset graph, CPU", None),
        ("compiler_cpu_s", "of which the compiler's own work, CPU", None),
        ("define_cpu_s", "define with Dagster, CPU", None),
    )
    for shape in shapes:
        measured: dict[str, dict[int, Samples]] = {key: {} for key, _, _ in figures}
        # Run by run, every size once per run: each run's fit reads sizes measured minutes apart at most, and a
        # slow spell of a shared machine lands on one run's sizes, not on every run of one size.
        by_size: dict[int, list[dict[str, float]]] = {size: [] for size in sizes}
        for _ in range(runs):
            for size in sizes:
                by_size[size].append(launch([PYTHON, "-m", "benchmarks.compile_worker", shape, str(size)]).last_json())
        for size in sizes:
            results = by_size[size]
            manifests = f"{int(results[0]['manifests'])} manifests"  # the split's WorkflowTemplates included
            for key, label, _ in figures:
                measured[key][size] = Samples(tuple(r[key] for r in results))
                note = manifests if key.startswith("compile") else ""
                rows.append(Row("compile", f"{shape} {size:,} assets: {label}", measured[key][size], "s", note))
        for key, label, target in figures:
            runs_of = [[measured[key][size].values[i] for size in sizes] for i in range(runs)]
            fit, left_out = fastest_run_fit(sizes, runs_of)  # the verdict: benchmarks/growth.py says why
            per_run = sorted(fit_power(sizes, run).exponent for run in runs_of)
            fastest = [measured[key][size].low for size in sizes]
            note = (
                f"fit of each size's fastest run: a={fit.fixed:.3g} s, b={fit.per_unit:.3g}, k={fit.exponent:.2f}, "
                f"worst residual {fit.worst_residual:.0%}; samples: k with each run left out; one fit per run: "
                f"k {statistics.median(per_run):.2f} ({per_run[0]:.2f}-{per_run[-1]:.2f}); marginal-time slope "
                f"{marginal_slope(sizes, fastest):.2f} (0 linear, 1 quadratic)"
            )
            what = f"{shape}: {label} ~ a + b·n^k over {min(sizes):,}..{max(sizes):,} assets: k"
            rows.append(Row("compile", what, Samples(left_out), "k", note, target))
    return rows
