"""Build one synthetic project in this fresh process: prints seconds (wall and CPU) to define it and to compile it,
the compile's CPU split into Dagster's asset graph (the repository and asset graph Dagster resolves from the
Definitions, which the load reads) and the compiler's own work after it, and how many manifests the compile rendered.

Every import happens before the clock starts (hera's Argo models too, which the structure check imports on first
use), so the times are the work that grows with the project, not a fixed import cost spread over its assets.
"""

import json
import sys
import time

from benchmarks.measure import PROJECT_ROOT
from benchmarks.synthetic_project import synthetic_definitions
from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import collector_paused, compile_project
from compiler.settings import load_settings
from compiler.validate.structure import check_structure


def main(shape: str, size: int) -> None:
    settings = load_settings(PROJECT_ROOT / "pyproject.toml")
    assert callable(check_structure)  # imported above: hera's models are loaded before timing
    started, started_cpu = time.perf_counter(), time.process_time()
    defs = synthetic_definitions(shape, size)
    defined, defined_cpu = time.perf_counter(), time.process_time()
    with collector_paused():  # as `build` does around loading and compiling
        # Dagster's own part of the load first (cached on the Definitions, so the load below reuses it): the
        # repository and asset graph any Dagster tool builds from these Definitions, reported apart
        defs.resolve_asset_graph()
        resolved_cpu = time.process_time()
        result = compile_project(project_from_definitions(f"synthetic_{shape}_{size}", defs), settings)
    compiled, compiled_cpu = time.perf_counter(), time.process_time()
    # Any refusal or failure above ends this process with a traceback, and the benchmark with it: since large outputs
    # are split across WorkflowTemplates (compiler/builder/split.py), every shape and size must compile.
    tasks = sum(text.count('template: "materialize"') for text in result.files.values())
    if tasks != size:
        raise SystemExit(f"{shape} {size}: the manifests have {tasks} materialize tasks, expected {size}")
    times = {
        "define_s": defined - started,
        "compile_s": compiled - defined,
        "define_cpu_s": defined_cpu - started_cpu,
        "compile_cpu_s": compiled_cpu - defined_cpu,
        "dagster_graph_cpu_s": resolved_cpu - defined_cpu,
        "compiler_cpu_s": compiled_cpu - resolved_cpu,
        "manifests": len(result.files),
    }
    print(json.dumps(times))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
