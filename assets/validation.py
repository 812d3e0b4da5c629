"""What makes a clean measurements table fit to publish. Each function returns problems as readable text."""

from datetime import datetime

import pandas as pd

from assets.measurement_schema import MEASUREMENT_SCHEMA, PHYSICAL_MAXIMUM

_EXPECTED_DTYPES = {
    "location_id": "int64",
    "location_name": "string",
    "sensor_id": "int64",
    "parameter": "string",
    "units": "string",
    "value": "float64",
    "period_start": "datetime64[us, UTC]",
    "period_end": "datetime64[us, UTC]",
    "latitude": "float64",
    "longitude": "float64",
    "has_flags": "bool",
}


def schema_problems(frame: pd.DataFrame) -> list[str]:
    """Columns missing, extra, in the wrong order, of the wrong dtype, or holding nulls."""
    expected = list(MEASUREMENT_SCHEMA.names)
    if list(frame.columns) != expected:
        return [f"columns are {list(frame.columns)}, expected {expected}"]
    problems = [
        f"column {name} has dtype {frame[name].dtype}, expected {dtype}"
        for name, dtype in _EXPECTED_DTYPES.items()
        if str(frame[name].dtype) != dtype
    ]
    problems += [f"column {name} has {count} null(s)" for name, count in frame.isna().sum().items() if count]
    return problems


def range_problems(frame: pd.DataFrame) -> list[str]:
    """Values below zero or above the physical maximum of their (parameter, units)."""
    problems = []
    for (parameter, units), group in frame.groupby(["parameter", "units"], sort=True):
        maximum = PHYSICAL_MAXIMUM.get((str(parameter), str(units)))
        if maximum is None:
            problems.append(f"{len(group)} row(s) of {parameter} in {units}: no physical range is known")
            continue
        bad = group[(group["value"] < 0) | (group["value"] > maximum)]
        if len(bad):
            worst = bad.iloc[int(bad["value"].abs().to_numpy().argmax())]
            problems.append(
                f"{len(bad)} {parameter} value(s) outside 0..{maximum:g} {units}, e.g. {worst['value']:g} "
                f"from sensor {worst['sensor_id']} at {worst['period_end'].isoformat()}"
            )
    return problems


def window_problems(frame: pd.DataFrame, start: datetime, end: datetime) -> list[str]:
    """Periods that do not lie inside the partition's window [start, end]."""
    outside = frame[(frame["period_start"] < start) | (frame["period_end"] > end)]
    if outside.empty:
        return []
    first = outside.iloc[0]
    return [
        f"{len(outside)} period(s) outside {start.isoformat()}..{end.isoformat()}, e.g. sensor {first['sensor_id']} "
        f"ending {first['period_end'].isoformat()}"
    ]
