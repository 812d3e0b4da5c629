"""Issue 24 item 6: `total` loads `reading`'s value through Dagster's default FilesystemIOManager whose base_dir
(EnvVar SHARED_IO_DIR, given to the pods by [tool.compiler.env]) lies under [tool.compiler.shared_volume]
mount_path: every pod mounts that claim there, so the value handed from one pod to the next is found."""

import dagster as dg


@dg.asset
def reading() -> int:
    return 41


@dg.asset
def total(reading: int) -> int:
    return reading + 1


defs = dg.Definitions(
    assets=[reading, total],
    resources={"io_manager": dg.FilesystemIOManager(base_dir=dg.EnvVar("SHARED_IO_DIR"))},
)
