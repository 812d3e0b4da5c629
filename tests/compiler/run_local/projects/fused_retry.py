"""A chain for step fusion's retry test: the flagship's raw city-day of its first zone (real OpenAQ requests, stored
by the flagship's IO manager), a summary of it with a blocking check, then a report that fails on its first attempt
(a marker object in the store remembers the attempt). All three share the flagship's date × city partitions, so the
chain fans out over the cities and fuses into one task per city inside the per-key DAG. Summary and report have a
RetryPolicy like the raw asset's (2 retries): Dagster retries the report's failure too, and fusion keeps apart
assets with and without one."""

from collections.abc import Iterator

import dagster as dg

import assets as flagship_location  # the module, not its Definitions: one Definitions here, as Dagster wants
from assets.city import CITIES
from assets.partitions import CITY, DATE, zone_partitions
from assets.raw_measurements import build_raw_measurements
from assets.resources.object_store import ObjectStore
from assets.zones import zones_of

ZONE = zones_of(CITIES)[0]
PARTITIONS = zone_partitions(ZONE)
MARKER = "test-markers/day_report/city={city}/date={date}"
SUMMARY = dg.AssetKey([*ZONE.key_prefix, "day_summary"])
RAW = build_raw_measurements(ZONE, PARTITIONS)
RETRY = dg.RetryPolicy(max_retries=2)  # the raw asset's limit: a fused chain shares one retry budget


@dg.asset(
    key=SUMMARY,
    partitions_def=PARTITIONS,
    ins={"raw": dg.AssetIn(key=RAW.key)},
    check_specs=[dg.AssetCheckSpec("has_bytes", asset=SUMMARY, blocking=True)],
    retry_policy=RETRY,
)
def day_summary(raw: bytes) -> Iterator[dg.Output[dict[str, int]] | dg.AssetCheckResult]:
    yield dg.Output({"raw_bytes": len(raw)})
    yield dg.AssetCheckResult(check_name="has_bytes", passed=len(raw) > 0)


@dg.asset(
    key=[*ZONE.key_prefix, "day_report"],
    partitions_def=PARTITIONS,
    ins={"summary": dg.AssetIn(key=SUMMARY)},
    retry_policy=RETRY,
)
def day_report(context: dg.AssetExecutionContext, summary: dict[str, int], store: ObjectStore) -> dict[str, int]:
    key = PARTITIONS.get_partition_key_from_str(context.partition_key)
    assert isinstance(key, dg.MultiPartitionKey)
    marker = MARKER.format(city=key.keys_by_dimension[CITY], date=key.keys_by_dimension[DATE])
    if not store.exists(marker):
        store.put_bytes(marker, b"failed once", "text/plain")
        raise RuntimeError("injected failure: day_report fails on its first attempt")
    return summary


defs = dg.Definitions(assets=[RAW, day_summary, day_report], resources=flagship_location.defs.resources)
