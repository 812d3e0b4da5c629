"""Test project: an observable source asset (as Dagster's docs write one: a file hash as its data version) upstream
of two assets. Dagster materializes them without ever running the observation; values travel through Dagster's
FilesystemIOManager in SHAPES_DIR, the directory every step shares."""

from hashlib import sha256

import dagster as dg


@dg.observable_source_asset
def raw_file() -> dg.DataVersion:
    raise RuntimeError("an observation: neither Dagster's materializations nor the compiled steps run it")


@dg.asset(deps=[raw_file])
def cleaned() -> str:
    return sha256(b"raw").hexdigest()


@dg.asset
def summary(cleaned: str) -> int:
    return len(cleaned)


defs = dg.Definitions(
    assets=[raw_file, cleaned, summary],
    resources={"io_manager": dg.FilesystemIOManager(base_dir=dg.EnvVar("SHAPES_DIR"))},
)
