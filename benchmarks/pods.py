"""Pod cold start: `python -m compiler materialize` of each flagship asset, as Argo runs it, against the floors.

Each pod is a fresh process measured by the launcher, against embedded SeaweedFS and the local OpenAQ server.
Its cold start is its wall time minus the step's own time (Dagster's STEP_SUCCESS duration: loading inputs, the
asset body, its checks, storing the output): imports, loading the code location, building the job, creating the
instance, resolving the partition, and shutting down.
"""

import re
import tempfile
from pathlib import Path

from benchmarks.compile import IMPORT_DAGSTER, project_floor
from benchmarks.measure import PYTHON, Samples, launch, ratios
from benchmarks.report import Row
from benchmarks.targets import POD_COLD_START
from devservices.local_stack import local_services

ASSETS = ("openaq/raw_measurements", "openaq/clean_measurements", "openaq/measurements_parquet")  # DAG order
PARTITION = "vienna|2026-11-27"  # a date × city key of the flagship (Dagster's MultiPartitionKey form)
_STEP_DONE = re.compile(r'STEP_SUCCESS - Finished execution of step "[^"]+" in ([0-9.]+)(ms|s)\.')


def step_seconds(log: str) -> float:
    """The step's own duration from Dagster's STEP_SUCCESS line (under a minute: `533ms` or `2.1s`)."""
    found = _STEP_DONE.findall(log)
    if len(found) != 1:
        raise RuntimeError(f"expected one STEP_SUCCESS line with a duration, found {len(found)}:\n{log[-2000:]}")
    value, unit = found[0]
    return float(value) / (1000 if unit == "ms" else 1)


# What any process executing Dagster assets pays before our code matters: Dagster, the code location, and an
# ephemeral instance (whose in-memory event log is SQLite, so it imports sqlalchemy and alembic).
EXECUTION_FLOOR = [
    PYTHON,
    "-c",
    "import dagster, assets; assets.defs\nwith dagster.DagsterInstance.ephemeral(): pass",
]


# The project floor ending as `python -m compiler` does (compiler/process_exit.py): without the interpreter's final
# full collection. Shown beside the named floor, so that the exit the pods skip is visible on both sides.
FROZEN_EXIT_FLOOR = [PYTHON, "-c", "import dagster, gc, importlib; importlib.import_module('assets').defs; gc.freeze()"]


def pod_command(asset: str) -> list[str]:
    return [PYTHON, "-m", "compiler", "materialize", "--module", "assets", "--asset", asset, "--partition", PARTITION]


def pod_cold_start(runs: int) -> list[Row]:
    floors: dict[str, list[float]] = {"dagster": [], "project": [], "execution": [], "frozen": []}
    floor_cpu: dict[str, list[float]] = {"project": [], "execution": [], "frozen": []}
    pod_cpu: dict[str, list[float]] = {asset: [] for asset in ASSETS}
    wall: dict[str, list[float]] = {asset: [] for asset in ASSETS}
    cold: dict[str, list[float]] = {asset: [] for asset in ASSETS}
    peak: dict[str, list[float]] = {asset: [] for asset in ASSETS}
    with (
        tempfile.TemporaryDirectory(prefix="air-quality-bench-pods-") as scratch,
        local_services(Path(scratch), lambda message: None) as env,
    ):
        for _ in range(runs):
            floors["dagster"].append(launch(IMPORT_DAGSTER, env=env).seconds)
            for name, command in (
                ("project", project_floor("assets")),
                ("execution", EXECUTION_FLOOR),
                ("frozen", FROZEN_EXIT_FLOOR),
            ):
                floor = launch(command, env=env)
                floors[name].append(floor.seconds)
                floor_cpu[name].append(floor.cpu_seconds)
            for asset in ASSETS:
                pod = launch(pod_command(asset), env=env)
                wall[asset].append(pod.seconds)
                cold[asset].append(pod.seconds - step_seconds(pod.stdout))
                peak[asset].append(pod.peak_mib)
                pod_cpu[asset].append(pod.cpu_seconds)
    rows = [
        Row("pods", "floor: python -c 'import dagster'", Samples(tuple(floors["dagster"])), "s"),
        Row("pods", "project floor: import dagster + assets.defs", Samples(tuple(floors["project"])), "s"),
        Row(
            "pods",
            "execution floor: project floor + DagsterInstance.ephemeral()",
            Samples(tuple(floors["execution"])),
            "s",
        ),
        Row(
            "pods",
            "project floor ending with gc.freeze() (no final collection, as python -m compiler ends)",
            Samples(tuple(floors["frozen"])),
            "s",
        ),
        Row(
            "pods",
            "execution floor / project floor",
            ratios(floors["execution"], floors["project"]),
            "x",
            "Dagster's instance alone (its storages import sqlalchemy and alembic): no pod can start below this",
        ),
        Row(
            "pods",
            "CPU: execution floor / project floor",
            ratios(floor_cpu["execution"], floor_cpu["project"]),
            "x",
            "CPU seconds: the same ratio without waiting for a shared core",
        ),
    ]
    for asset in ASSETS:
        rows += [
            Row("pods", f"{asset}: pod wall time", Samples(tuple(wall[asset])), "s"),
            Row("pods", f"{asset}: cold start (wall minus the step)", Samples(tuple(cold[asset])), "s"),
            Row("pods", f"{asset}: peak memory (whole pod process)", Samples(tuple(peak[asset])), "MiB"),
            Row(
                "pods",
                f"{asset}: cold start / project floor",
                ratios(cold[asset], floors["project"]),
                "x",
                target=POD_COLD_START,
            ),
            Row(
                "pods",
                f"{asset}: cold start / execution floor",
                ratios(cold[asset], floors["execution"]),
                "x",
                "what the project's step runner adds beyond Dagster's own needs",
            ),
            Row(
                "pods",
                f"{asset}: cold start / project floor ending with gc.freeze()",
                ratios(cold[asset], floors["frozen"]),
                "x",
                "both sides skip the interpreter's final collection: the import and execution cost alone",
            ),
            Row(
                "pods",
                f"{asset}: CPU: whole pod / project floor ending with gc.freeze()",
                ratios(pod_cpu[asset], floor_cpu["frozen"]),
                "x",
                "CPU seconds, the step included",
            ),
            Row(
                "pods",
                f"{asset}: CPU: whole pod / project floor",
                ratios(pod_cpu[asset], floor_cpu["project"]),
                "x",
                "CPU seconds, the step included: the cold start ratio without waiting for a shared core",
            ),
        ]
    return rows
