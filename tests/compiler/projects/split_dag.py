"""Test project: a graph whose one WorkflowTemplate would pass 256 KiB (long descriptions), so `build` splits its
DAG into chunk WorkflowTemplates joined by templateRef (compiler/builder/split.py), at a size a replay can run.

A chain `chain_0` → ... → `chain_5` is too large for one chunk and is cut into consecutive chunks; `tree_root` feeding
`tree_0` ... `tree_3` is too large too and is cut at its root (the root a chunk, the leaves packed after it); `lone_a`,
`lone_b` depend on nothing and land in the hashed buckets. A file `fail` beside SHAPES_DIR names an asset that
raises, to compare what a failure skips (run-local gives each step only the environment the YAML gives its pod).
Values travel through FilesystemIOManager in SHAPES_DIR, the directory every step shares.
"""

import os
from pathlib import Path

import dagster as dg

DESCRIPTION = "Values of one sensor. " * 2000  # about 44 KB each: six of them are more than one chunk holds


def _fail_if_named(name: str) -> None:
    marker = Path(os.environ["SHAPES_DIR"]).parent / "fail"
    if marker.is_file() and marker.read_text(encoding="utf-8") == name:
        raise RuntimeError(f"{name} failed on purpose")


def _chain(index: int) -> dg.AssetsDefinition:
    @dg.asset(name=f"chain_{index}", deps=[f"chain_{index - 1}"] if index else [], description=DESCRIPTION)
    def _asset() -> int:
        _fail_if_named(f"chain_{index}")
        return index

    return _asset


@dg.asset(description="Feeds the tree.")
def tree_root() -> int:
    _fail_if_named("tree_root")
    return 0


def _leaf(index: int) -> dg.AssetsDefinition:
    @dg.asset(name=f"tree_{index}", deps=[tree_root], description=DESCRIPTION)
    def _asset() -> int:
        _fail_if_named(f"tree_{index}")
        return index

    return _asset


@dg.asset(description="Stands alone.")
def lone_a() -> str:
    _fail_if_named("lone_a")
    return "a"


@dg.asset(description="Stands alone too.")
def lone_b() -> str:
    return "b"


defs = dg.Definitions(
    assets=[*(_chain(i) for i in range(6)), tree_root, *(_leaf(i) for i in range(4)), lone_a, lone_b],
    resources={"io_manager": dg.FilesystemIOManager(base_dir=dg.EnvVar("SHAPES_DIR"))},
)
