"""Blocking asset checks on `openaq/clean_measurements`: bad data stops before anything is published.

They run inside the clean step on the in-memory table (no reload), and being blocking, a failure fails the step so
`openaq/measurements_parquet` never runs for that partition.
"""

import pandas as pd
from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey

from assets.partitions import partition_window_utc
from assets.validation import (
    COMPLETENESS_THRESHOLD,
    completeness_problems,
    incomplete_sensor_problems,
    range_problems,
    schema_problems,
    window_problems,
)

CLEAN = AssetKey(["openaq", "clean_measurements"])

CHECK_SPECS = [
    AssetCheckSpec("schema_as_documented", asset=CLEAN, blocking=True, description="Columns and dtypes as documented."),
    AssetCheckSpec("values_in_physical_range", asset=CLEAN, blocking=True, description="0 ≤ value ≤ physical max."),
    AssetCheckSpec("periods_inside_partition", asset=CLEAN, blocking=True, description="Every hour in the local day."),
    AssetCheckSpec("at_least_one_row", asset=CLEAN, blocking=True, description="An empty day is an outage, not data."),
    AssetCheckSpec(
        "day_complete_enough",
        asset=CLEAN,
        blocking=True,
        description=f"At least {COMPLETENESS_THRESHOLD:.0%} of the day's sensor-hours (23/24/25 h) are present.",
    ),
    AssetCheckSpec(
        "every_sensor_hour_present",
        asset=CLEAN,
        blocking=False,
        description="Every reporting sensor has every hour of the day (a warning, the day is still published).",
    ),
]


def _result(
    name: str, problems: list[str], severity: AssetCheckSeverity = AssetCheckSeverity.ERROR
) -> AssetCheckResult:
    return AssetCheckResult(
        check_name=name,
        asset_key=CLEAN,
        passed=not problems,
        severity=severity,
        description="; ".join(problems) if problems else "ok",
        metadata={"problems": len(problems)},
    )


def check_clean_measurements(frame: pd.DataFrame, partition_key: str) -> list[AssetCheckResult]:
    """One result per spec; when the schema is wrong the value checks report failure rather than guess."""
    schema = schema_problems(frame)
    unchecked = ["not checked: the schema is not as documented"] if schema else None
    window = partition_window_utc(partition_key)
    empty = (
        [f"no measurements for partition {partition_key}; check the city settings and OpenAQ"] if frame.empty else []
    )
    return [
        _result("schema_as_documented", schema),
        _result("values_in_physical_range", unchecked or range_problems(frame)),
        _result("periods_inside_partition", unchecked or window_problems(frame, *window)),
        _result("at_least_one_row", empty),
        _result("day_complete_enough", unchecked or completeness_problems(frame, *window)),
        _result(
            "every_sensor_hour_present",
            unchecked or incomplete_sensor_problems(frame, *window),
            AssetCheckSeverity.WARN,
        ),
    ]


def blocking_failures(results: list[AssetCheckResult]) -> list[AssetCheckResult]:
    """The failed results of blocking checks (a failed warning, such as every_sensor_hour_present, publishes)."""
    blocking = {spec.name for spec in CHECK_SPECS if spec.blocking}
    return [result for result in results if not result.passed and result.check_name in blocking]
