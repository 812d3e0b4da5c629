"""A code location of `BENCH_SHAPE` with `BENCH_ASSETS` assets (benchmarks/synthetic_project.py), for fresh processes.

`python -m compiler build --module benchmarks.synthetic_location` and Dagster's own load of the same module read the
same environment, so the build and its floor load exactly the same Definitions.
"""

import os

from benchmarks.synthetic_project import synthetic_definitions

SHAPE_ENV = "BENCH_SHAPE"
ASSETS_ENV = "BENCH_ASSETS"

defs = synthetic_definitions(os.environ.get(SHAPE_ENV, "random"), int(os.environ.get(ASSETS_ENV, "100")))
