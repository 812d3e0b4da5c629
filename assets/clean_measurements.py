"""`openaq/clean_measurements`: one typed row per sensor-hour (schema in `assets.measurement_schema`)."""

from collections.abc import Iterator
from typing import Any

import pandas as pd
from dagster import AssetCheckResult, AssetExecutionContext, AssetIn, MetadataValue, Output, asset

from assets.checks import CHECK_SPECS, check_clean_measurements
from assets.io_manager import StoredChunks
from assets.partitions import daily_partitions
from assets.transform import clean_city_day_chunks

# A 1M-row day peaks at ~730 MiB in this pod (`make bench`, section memory, checks request >= 1.1x and limit >= 1.5x
# the measured peak): the request reserves it, the limit leaves room for a larger day.
_K8S = {"container_config": {"resources": {"requests": {"cpu": "250m", "memory": "1Gi"}, "limits": {"memory": "2Gi"}}}}


@asset(
    key=["openaq", "clean_measurements"],
    ins={"raw": AssetIn(key=["openaq", "raw_measurements"])},
    group_name="air_quality",
    partitions_def=daily_partitions,
    owners=["team:data-platform"],
    kinds={"python", "pandas"},
    code_version="3",  # 3: units in one spelling; rows without a period or with NaN counted; null names kept
    op_tags={"dagster-k8s/config": _K8S},
    check_specs=CHECK_SPECS,
    description=(
        "One row per sensor-hour with an explicit schema, deduplicated on (sensor, period end); rows outside the "
        "window, null, negative or sentinel values and unsupported parameters dropped and counted."
    ),
)
def clean_measurements(
    context: AssetExecutionContext, raw: StoredChunks
) -> Iterator[Output[pd.DataFrame] | AssetCheckResult]:
    result = clean_city_day_chunks(raw)  # the stored JSON as it streams in, one sensor at a time; see assets.transform
    dropped = dict(result.dropped)  # outside_window includes the rows the client dropped already
    context.log.info(f"{len(result.frame)} clean rows from {result.rows_in}; dropped {dropped}")
    metadata: dict[str, Any] = {"rows": len(result.frame), "rows_in": result.rows_in}
    metadata.update({f"dropped_{reason}": count for reason, count in dropped.items()})
    metadata["rows_without_location_name"] = result.rows_without_location_name  # kept, with an empty name
    metadata["preview"] = MetadataValue.md(result.frame.head(10).to_markdown(index=False))
    yield Output(result.frame, metadata=metadata)
    yield from check_clean_measurements(result.frame, context.partition_key)
