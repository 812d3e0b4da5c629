"""Build one synthetic project in this fresh process: prints seconds to define it and to compile it, as JSON."""

import json
import sys
import time

from benchmarks.measure import PROJECT_ROOT
from compiler.build import compile_project
from compiler.load import project_from_definitions
from compiler.settings import load_settings
from tests.compiler.shapes import SHAPES, make_definitions


def main(shape: str, size: int) -> None:
    settings = load_settings(PROJECT_ROOT / "pyproject.toml")
    started = time.perf_counter()
    defs = make_definitions(SHAPES[shape](size))
    defined = time.perf_counter()
    result = compile_project(project_from_definitions(f"synthetic_{shape}_{size}", defs), settings)
    compiled = time.perf_counter()
    tasks = sum(text.count('template: "materialize"') for text in result.files.values())
    if tasks != size:
        raise SystemExit(f"{shape} {size}: the manifest has {tasks} materialize tasks, expected {size}")
    print(json.dumps({"define_s": defined - started, "compile_s": compiled - defined}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
