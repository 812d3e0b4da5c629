"""Blocking asset checks on each zone's `clean_measurements`: bad data stops before anything is published.

They run inside the clean step on the in-memory table (no reload), and being blocking, a failure fails the step so
`openaq/measurements_parquet` never runs for that partition.
"""

import pandas as pd
from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey

from assets.city import City
from assets.partitions import partition_window_utc
from assets.validation import (
    COMPLETENESS_THRESHOLD,
    completeness_problems,
    incomplete_sensor_problems,
    range_problems,
    schema_problems,
    window_problems,
)

CLEAN = AssetKey(["openaq", "clean_measurements"])  # the first zone's (see assets.zones)


def check_specs(asset: AssetKey = CLEAN) -> list[AssetCheckSpec]:
    """The checks of one `clean_measurements` asset."""
    return [
        AssetCheckSpec(
            "schema_as_documented", asset=asset, blocking=True, description="Columns and dtypes as documented."
        ),
        AssetCheckSpec("values_in_physical_range", asset=asset, blocking=True, description="0 ≤ value ≤ physical max."),
        AssetCheckSpec(
            "periods_inside_partition", asset=asset, blocking=True, description="Every hour in the local day."
        ),
        AssetCheckSpec(
            "at_least_one_row", asset=asset, blocking=True, description="An empty day is an outage, not data."
        ),
        AssetCheckSpec(
            "day_complete_enough",
            asset=asset,
            blocking=True,
            description=f"At least {COMPLETENESS_THRESHOLD:.0%} of the day's sensor-hours (23/24/25 h) are present.",
        ),
        AssetCheckSpec(
            "every_sensor_hour_present",
            asset=asset,
            blocking=False,
            description="Every reporting sensor has every hour of the day (a warning, the day is still published).",
        ),
    ]


CHECK_SPECS = check_specs(CLEAN)


def _result(
    asset: AssetKey, name: str, problems: list[str], severity: AssetCheckSeverity = AssetCheckSeverity.ERROR
) -> AssetCheckResult:
    return AssetCheckResult(
        check_name=name,
        asset_key=asset,
        passed=not problems,
        severity=severity,
        description="; ".join(problems) if problems else "ok",
        metadata={"problems": len(problems)},
    )


def check_clean_measurements(frame: pd.DataFrame, asset: AssetKey, city: City, day: str) -> list[AssetCheckResult]:
    """One result per spec for `city`'s local `day`; when the schema is wrong the value checks report failure
    rather than guess."""
    schema = schema_problems(frame)
    unchecked = ["not checked: the schema is not as documented"] if schema else None
    window = partition_window_utc(day, city.timezone)
    empty = [f"no measurements for {city.name} on {day}; check the city settings and OpenAQ"] if frame.empty else []
    return [
        _result(asset, "schema_as_documented", schema),
        _result(asset, "values_in_physical_range", unchecked or range_problems(frame)),
        _result(asset, "periods_inside_partition", unchecked or window_problems(frame, *window)),
        _result(asset, "at_least_one_row", empty),
        _result(asset, "day_complete_enough", unchecked or completeness_problems(frame, *window)),
        _result(
            asset,
            "every_sensor_hour_present",
            unchecked or incomplete_sensor_problems(frame, *window),
            AssetCheckSeverity.WARN,
        ),
    ]


def blocking_failures(results: list[AssetCheckResult]) -> list[AssetCheckResult]:
    """The failed results of blocking checks (a failed warning, such as every_sensor_hour_present, publishes)."""
    blocking = {spec.name for spec in CHECK_SPECS if spec.blocking}
    return [result for result in results if not result.passed and result.check_name in blocking]
