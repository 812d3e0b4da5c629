"""A chain for step fusion's retry test: the flagship's raw day (real OpenAQ requests, stored by the flagship's IO
manager), a summary of it with a blocking check, then a report that fails on its first attempt (a marker object in
the store remembers the attempt)."""

from collections.abc import Iterator

import dagster as dg

from assets import defs as flagship
from assets.partitions import daily_partitions
from assets.raw_measurements import raw_measurements
from assets.resources.object_store import ObjectStore

MARKER = "test-markers/day_report/{partition}"
SUMMARY = dg.AssetKey(["openaq", "day_summary"])


@dg.asset(
    key=SUMMARY,
    partitions_def=daily_partitions,
    ins={"raw": dg.AssetIn(key=["openaq", "raw_measurements"])},
    check_specs=[dg.AssetCheckSpec("has_bytes", asset=SUMMARY, blocking=True)],
)
def day_summary(raw: bytes) -> Iterator[dg.Output[dict[str, int]] | dg.AssetCheckResult]:
    yield dg.Output({"raw_bytes": len(raw)})
    yield dg.AssetCheckResult(check_name="has_bytes", passed=len(raw) > 0)


@dg.asset(
    key=["openaq", "day_report"],
    partitions_def=daily_partitions,
    ins={"summary": dg.AssetIn(key=SUMMARY)},
)
def day_report(context: dg.AssetExecutionContext, summary: dict[str, int], store: ObjectStore) -> dict[str, int]:
    marker = MARKER.format(partition=context.partition_key)
    if not store.exists(marker):
        store.put_bytes(marker, b"failed once", "text/plain")
        raise RuntimeError("injected failure: day_report fails on its first attempt")
    return summary


defs = dg.Definitions(assets=[raw_measurements, day_summary, day_report], resources=flagship.resources)
