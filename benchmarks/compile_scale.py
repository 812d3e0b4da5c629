"""`build` of a large synthetic project in a fresh process against Dagster's own load of the same Definitions.

The floor is what Dagster does to load a code location: a fresh process that imports dagster, imports the module
(defining every asset) and resolves the Definitions' asset graph. The subject is the real
`python -m compiler build --module benchmarks.synthetic_location --out TMP` in a fresh process, loading the same
module (benchmarks/synthetic_location.py reads the shape and size from the environment). Runs are interleaved; the
ratio is taken per pair. The verdict is on CPU seconds, as the growth fit's: on a shared machine wall time adds
however long each process waited for a core, and build's CPU includes its structure-check child, which wall time
would let run free on the second core. Peak memory is each whole process's (the launcher's `ru_maxrss`).

Every build must succeed: a refusal or any other failure stops the benchmark. Each run's written manifests are read
back and measured as the compact JSON the API server receives (compiler/builder/size_budget.py): the largest must
stay within the 256 KiB client-side `kubectl apply` copies into its annotation, in every run, a target of its own.
"""

import tempfile
from pathlib import Path

from benchmarks.measure import PYTHON, Samples, launch, ratios
from benchmarks.report import Row
from benchmarks.synthetic_location import ASSETS_ENV, SHAPE_ENV
from benchmarks.targets import BUILD_VS_DAGSTER_LOAD, MANIFEST_FITS_APPLY
from compiler.builder.size_budget import json_size
from compiler.parse import parse_documents

LOCATION = "benchmarks.synthetic_location"
TARGET_ASSETS = 10_000  # the build / Dagster load target applies at this size
DAGSTER_LOAD = [
    PYTHON,
    "-c",
    f"import dagster, importlib; importlib.import_module({LOCATION!r}).defs.resolve_asset_graph()",
]


def written_manifests(out: Path) -> list[int]:
    """The size of every manifest `build` wrote to `out`, each document as the compact JSON the API server receives."""
    return [
        json_size(document)
        for path in sorted(out.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for document in parse_documents(path.read_text(encoding="utf-8"), path.name)
    ]


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
        largest: list[float] = []
        written: set[int] = set()
        for _ in range(runs):
            loaded = launch(DAGSTER_LOAD, env=env)
            with tempfile.TemporaryDirectory(prefix="air-quality-bench-scale-") as out:
                argo_out = Path(out) / "argo_out"
                argv = [PYTHON, "-m", "compiler", "build", "--module", LOCATION, "--out", str(argo_out)]
                built = launch(argv, env=env)
                sizes = written_manifests(argo_out)
            floor.append(loaded.seconds)
            build.append(built.seconds)
            floor_cpu.append(loaded.cpu_seconds)
            build_cpu.append(built.cpu_seconds)
            floor_peak.append(loaded.peak_mib)
            build_peak.append(built.peak_mib)
            largest.append(max(sizes) / 1024)
            written.add(len(sizes))
        label = f"{shape} {size:,} assets"
        manifests = f"written: {', '.join(map(str, sorted(written)))} manifests (kustomization.yaml aside)"
        rows += [
            Row(
                "compile",
                f"{label}: Dagster load floor (import dagster + Definitions + asset graph)",
                Samples(tuple(floor)),
                "s",
            ),
            Row("compile", f"{label}: build, fresh process", Samples(tuple(build)), "s", manifests),
            Row(
                "compile",
                f"{label}: CPU: build / Dagster load floor",
                ratios(build_cpu, floor_cpu),
                "x",
                f"CPU seconds, build's structure-check child included (target applies at {TARGET_ASSETS:,} assets)",
                BUILD_VS_DAGSTER_LOAD if size == TARGET_ASSETS else None,
            ),
            Row("compile", f"{label}: build / Dagster load floor, wall", ratios(build, floor), "x", "no target"),
            Row("compile", f"{label}: build peak memory (whole process)", Samples(tuple(build_peak)), "MiB"),
            Row("compile", f"{label}: Dagster load floor peak memory", Samples(tuple(floor_peak)), "MiB"),
            Row(
                "compile",
                f"{label}: largest manifest written (compact JSON)",
                Samples(tuple(largest)),
                "KiB",
                target=MANIFEST_FITS_APPLY,
            ),
        ]
    return rows
