"""Test project: graph-backed assets (`@graph_asset`, `AssetsDefinition.from_graph`, `@graph_multi_asset`) between
plain assets. Each graph runs as one task; values travel through Dagster's FilesystemIOManager in SHAPES_DIR."""

import dagster as dg


@dg.asset
def base() -> int:
    return 3


@dg.op
def add_one(value: int) -> int:
    return value + 1


@dg.op(retry_policy=dg.RetryPolicy(max_retries=2, delay=5))
def double(value: int) -> int:
    return value * 2


@dg.graph_asset
def combined(base: int) -> int:
    """base + 1, doubled: two ops, one task."""
    return double(add_one(base))


@dg.graph
def scale(combined: int) -> int:
    return double(combined)


scaled = dg.AssetsDefinition.from_graph(scale, keys_by_input_name={"combined": dg.AssetKey("combined")})


@dg.op(out={"low": dg.Out(), "high": dg.Out()})
def split(value: int) -> tuple[int, int]:
    return value - 1, value + 1


@dg.graph_multi_asset(outs={"low": dg.AssetOut(), "high": dg.AssetOut()})
def bounds(scale: int) -> tuple[object, object]:
    low, high = split(add_one(scale))
    return low, high


@dg.asset
def report(low: int, combined: int) -> str:
    return f"{low}/{combined}"


defs = dg.Definitions(
    assets=[base, combined, scaled, bounds, report],
    resources={"io_manager": dg.FilesystemIOManager(base_dir=dg.EnvVar("SHAPES_DIR"))},
)
