"""Build one synthetic project in this fresh process: prints seconds (wall and CPU) to define it and to compile it.

Every import happens before the clock starts (hera's Argo models too, which the structure check imports on first
use), so the times are the work that grows with the project, not a fixed import cost spread over its assets.
"""

import json
import sys
import time

from benchmarks.measure import PROJECT_ROOT
from benchmarks.synthetic_project import synthetic_definitions
from compiler.builder.load import project_from_definitions
from compiler.builder.pipeline import BuildResult, collector_paused, compile_project
from compiler.errors import UnsupportedInputError
from compiler.settings import load_settings
from compiler.validate.structure import check_structure

# What compiler/builder/size_budget.py says when a manifest is too large to store: the last step of the compile,
# after load, plan, render, parse-back and validation. Until large outputs are split across WorkflowTemplates, a
# 10,000-asset project ends there; the compile's work is done and timed, only nothing would be written.
SIZE_REFUSAL = "Kubernetes can store"


def size_refused(error: Exception) -> bool:
    return isinstance(error, UnsupportedInputError) and SIZE_REFUSAL in str(error)


def main(shape: str, size: int) -> None:
    settings = load_settings(PROJECT_ROOT / "pyproject.toml")
    assert callable(check_structure)  # imported above: hera's models are loaded before timing
    started, started_cpu = time.perf_counter(), time.process_time()
    defs = synthetic_definitions(shape, size)
    defined, defined_cpu = time.perf_counter(), time.process_time()
    result: BuildResult | None = None
    with collector_paused():  # as `build` does around loading and compiling
        try:
            result = compile_project(project_from_definitions(f"synthetic_{shape}_{size}", defs), settings)
        except UnsupportedInputError as error:
            if not size_refused(error):
                raise
    compiled, compiled_cpu = time.perf_counter(), time.process_time()
    if result is not None:
        tasks = sum(text.count('template: "materialize"') for text in result.files.values())
        if tasks != size:
            raise SystemExit(f"{shape} {size}: the manifest has {tasks} materialize tasks, expected {size}")
    times = {
        "define_s": defined - started,
        "compile_s": compiled - defined,
        "define_cpu_s": defined_cpu - started_cpu,
        "compile_cpu_s": compiled_cpu - defined_cpu,
        "size_refused": result is None,
    }
    print(json.dumps(times))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
