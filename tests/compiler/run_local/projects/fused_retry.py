"""A chain for step fusion's retry test: the flagship's raw day (real OpenAQ requests, stored by the flagship's IO
manager), then a summary that fails on its first attempt (a marker object in the store remembers the attempt)."""

import dagster as dg

from assets import defs as flagship
from assets.partitions import daily_partitions
from assets.raw_measurements import raw_measurements
from assets.resources.object_store import ObjectStore

MARKER = "test-markers/day_summary/{partition}"


@dg.asset(
    key=["openaq", "day_summary"],
    partitions_def=daily_partitions,
    ins={"raw": dg.AssetIn(key=["openaq", "raw_measurements"])},
)
def day_summary(context: dg.AssetExecutionContext, raw: bytes, store: ObjectStore) -> dict[str, int]:
    marker = MARKER.format(partition=context.partition_key)
    if not store.exists(marker):
        store.put_bytes(marker, b"failed once", "text/plain")
        raise RuntimeError("injected failure: day_summary fails on its first attempt")
    return {"raw_bytes": len(raw)}


defs = dg.Definitions(assets=[raw_measurements, day_summary], resources=flagship.resources)
