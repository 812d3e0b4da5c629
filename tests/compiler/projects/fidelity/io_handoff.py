"""Issue 14 case 7: `total` loads `reading`'s value (an input, not deps=) through a filesystem IO manager. Each Argo
pod has its own disk, so this compiles only when [tool.compiler] shared_io_managers says base_dir is shared."""

import os

import dagster as dg

from tests.compiler.projects.fidelity.record import record_run


@dg.asset
def reading() -> int:
    record_run("reading")
    return 41


@dg.asset
def total(reading: int) -> None:
    record_run(f"total={reading + 1}")


defs = dg.Definitions(
    assets=[reading, total],
    resources={
        "io_manager": dg.FilesystemIOManager(base_dir=os.path.join(os.environ.get("FIDELITY_RECORD_DIR", "."), "io"))
    },
)
