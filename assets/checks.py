"""Blocking asset checks: bad data stops here, before `openaq/measurements_parquet` publishes anything."""

from collections.abc import Iterator

import pandas as pd
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSpec,
    AssetIn,
    AssetKey,
    multi_asset_check,
)

from assets.partitions import partition_window_utc
from assets.validation import range_problems, schema_problems, window_problems

CLEAN = AssetKey(["openaq", "clean_measurements"])

_SPECS = [
    AssetCheckSpec("schema_as_documented", asset=CLEAN, blocking=True, description="Columns and dtypes as documented."),
    AssetCheckSpec("values_in_physical_range", asset=CLEAN, blocking=True, description="0 ≤ value ≤ physical max."),
    AssetCheckSpec("periods_inside_partition", asset=CLEAN, blocking=True, description="Every hour in the local day."),
    AssetCheckSpec("at_least_one_row", asset=CLEAN, blocking=True, description="An empty day is an outage, not data."),
]


def _result(name: str, problems: list[str]) -> AssetCheckResult:
    return AssetCheckResult(
        check_name=name,
        asset_key=CLEAN,
        passed=not problems,
        description="; ".join(problems) if problems else "ok",
        metadata={"problems": len(problems)},
    )


@multi_asset_check(specs=_SPECS, name="clean_measurements_checks", ins={"clean_measurements": AssetIn(key=CLEAN)})
def clean_measurements_checks(
    context: AssetCheckExecutionContext, clean_measurements: pd.DataFrame
) -> Iterator[AssetCheckResult]:
    """Load the clean table once and run every check on it."""
    frame = clean_measurements
    partition_key = context.op_execution_context.partition_key
    schema = schema_problems(frame)
    yield _result("schema_as_documented", schema)
    unchecked = ["not checked: the schema is not as documented"] if schema else None
    yield _result("values_in_physical_range", unchecked or range_problems(frame))
    window = partition_window_utc(partition_key)
    yield _result("periods_inside_partition", unchecked or window_problems(frame, *window))
    empty = (
        [f"no measurements for partition {partition_key}; check the city settings and OpenAQ"] if frame.empty else []
    )
    yield _result("at_least_one_row", empty)
