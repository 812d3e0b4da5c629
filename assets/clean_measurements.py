"""`openaq/clean_measurements`: one typed row per sensor-hour (schema in `assets.measurement_schema`)."""

from collections.abc import Iterator
from typing import Any

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetsDefinition,
    MetadataValue,
    MultiPartitionsDefinition,
    Output,
    asset,
)

from assets.checks import check_clean_measurements, check_specs
from assets.io_manager import StoredChunks
from assets.partitions import city_day
from assets.resources.object_store import STORE_RETRY_POLICY
from assets.transform import clean_city_day_chunks
from assets.zones import Zone

# A 1M-row day peaks at ~730 MiB in this pod (`make bench`, section memory, checks request >= 1.1x and limit >= 1.5x
# the measured peak): the request reserves it, the limit leaves room for a larger day.
_K8S = {"container_config": {"resources": {"requests": {"cpu": "250m", "memory": "1Gi"}, "limits": {"memory": "2Gi"}}}}


def build_clean_measurements(zone: Zone, partitions_def: MultiPartitionsDefinition) -> AssetsDefinition:
    """The asset for every city of `zone`, with its blocking checks."""
    key = AssetKey([*zone.key_prefix, "clean_measurements"])

    @asset(
        key=key,
        ins={"raw": AssetIn(key=[*zone.key_prefix, "raw_measurements"])},
        group_name=zone.name("air_quality"),
        partitions_def=partitions_def,
        owners=["team:data-platform"],
        kinds={"python", "pandas"},
        code_version="3",  # 3: units in one spelling; rows without a period or with NaN counted; null names kept
        retry_policy=STORE_RETRY_POLICY,  # a store restarting mid-step: another attempt
        op_tags={"dagster-k8s/config": _K8S},
        check_specs=check_specs(key),
        description=(
            "One row per sensor-hour with an explicit schema, deduplicated on (sensor, period end); rows outside "
            "the window, null, negative or sentinel values and unsupported parameters dropped and counted."
        ),
    )
    def clean_measurements(
        context: AssetExecutionContext, raw: StoredChunks
    ) -> Iterator[Output[pd.DataFrame] | AssetCheckResult]:
        result = clean_city_day_chunks(raw)  # the stored JSON as it streams in, one sensor at a time
        dropped = dict(result.dropped)  # outside_window includes the rows the client dropped already
        context.log.info(f"{len(result.frame)} clean rows from {result.rows_in}; dropped {dropped}")
        metadata: dict[str, Any] = {"rows": len(result.frame), "rows_in": result.rows_in}
        metadata.update({f"dropped_{reason}": count for reason, count in dropped.items()})
        metadata["rows_without_location_name"] = result.rows_without_location_name  # kept, with an empty name
        metadata["preview"] = MetadataValue.md(result.frame.head(10).to_markdown(index=False))
        yield Output(result.frame, metadata=metadata)
        city, day = city_day(zone, context.partition_key)
        yield from check_clean_measurements(result.frame, key, city, day)

    return clean_measurements
