"""`openaq/measurements_parquet`: the published parquet object, Hive-style key, byte-identical on rerun."""

import hashlib

import pandas as pd
import pyarrow as pa
from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetsDefinition,
    Failure,
    MaterializeResult,
    MultiPartitionsDefinition,
    asset,
)

from assets.checks import blocking_failures, check_clean_measurements
from assets.measurement_schema import MEASUREMENT_SCHEMA
from assets.parquet import table_to_parquet_bytes
from assets.partitions import city_day
from assets.resources.object_store import STORE_RETRY_POLICY, ObjectStore
from assets.zones import Zone


def object_key(city: str, day: str) -> str:
    return f"air_quality/city={city}/date={day}/measurements.parquet"


def measurements_to_parquet(frame: pd.DataFrame) -> bytes:
    """Encode with the explicit schema and no pandas metadata, so bytes depend only on the rows."""
    table = pa.Table.from_pandas(frame, schema=MEASUREMENT_SCHEMA, preserve_index=False)
    return table_to_parquet_bytes(table.replace_schema_metadata(None))


def build_measurements_parquet(zone: Zone, partitions_def: MultiPartitionsDefinition) -> AssetsDefinition:
    """The asset for every city of `zone`: each date × city key publishes that city's object for that day."""
    clean_key = AssetKey([*zone.key_prefix, "clean_measurements"])

    @asset(
        key=[*zone.key_prefix, "measurements_parquet"],
        ins={"clean": AssetIn(key=clean_key)},
        group_name=zone.name("air_quality"),
        partitions_def=partitions_def,
        owners=["team:data-platform"],
        retry_policy=STORE_RETRY_POLICY,  # a store restarting mid-step: another attempt
        kinds={"parquet", "s3"},
        code_version="1",
        description="The clean measurements as one zstd parquet object per city-day in the object store.",
    )
    def measurements_parquet(
        context: AssetExecutionContext, clean: pd.DataFrame, store: ObjectStore
    ) -> MaterializeResult:
        # The blocking checks ran in the clean step; run them again here, so materializing this asset alone (from
        # the UI, or one pod after a failed clean step) can never publish a table that failed them.
        city, day = city_day(zone, context.partition_key)
        failed = blocking_failures(check_clean_measurements(clean, clean_key, city, day))
        if failed:
            reasons = "; ".join(f"{r.check_name}: {r.description}" for r in failed)
            raise Failure(
                description=f"not publishing {city.name} {day}: the clean measurements fail {reasons}; "
                f"rematerialize {clean_key.to_user_string()} after fixing the data",
                allow_retries=False,
            )
        data = measurements_to_parquet(clean)
        uri = store.put_bytes(object_key(city.name, day), data, "application/vnd.apache.parquet")
        return MaterializeResult(
            metadata={"uri": uri, "rows": len(clean), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        )

    return measurements_parquet
