"""What makes a clean measurements table fit to publish. Each function returns problems as readable text."""

from datetime import datetime, timedelta

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


# The day is published only when at least this share of its sensor-hours is present: sensors that reported at
# least one hour of the day, times the day's hours (23, 24 or 25 on DST days). Below it the day is an outage
# (a gateway that answered for one hour, a provider that stopped mid-day), not data. Between it and 100% the day is
# published with a warning naming the incomplete sensors (`every_sensor_hour_present`). 0.5 keeps a day where half
# the network was down for maintenance, and stops one where the fetch got a fraction of the day.
COMPLETENESS_THRESHOLD = 0.5


def expected_hours(start: datetime, end: datetime) -> int:
    """Hours in the partition's window: 23, 24 or 25 for a local day (the window is aware, so DST counts)."""
    return int((end - start) / timedelta(hours=1))


def _hours_per_sensor(frame: pd.DataFrame) -> "pd.Series[int]":
    return frame.groupby("sensor_id", sort=True)["period_end"].nunique()


def completeness_problems(
    frame: pd.DataFrame, start: datetime, end: datetime, threshold: float = COMPLETENESS_THRESHOLD
) -> list[str]:
    """Blocking: the share of expected sensor-hours present is below `threshold` (empty tables are left to
    at_least_one_row)."""
    if frame.empty:
        return []
    hours = expected_hours(start, end)
    per_sensor = _hours_per_sensor(frame)
    present, expected = int(per_sensor.sum()), len(per_sensor) * hours
    if present >= threshold * expected:
        return []
    return [
        f"only {present} of {expected} sensor-hours present ({present / expected:.0%}, {len(per_sensor)} sensor(s) "
        f"x {hours} h), below the {threshold:.0%} needed to publish the day; rerun it once OpenAQ has the data"
    ]


def incomplete_sensor_problems(frame: pd.DataFrame, start: datetime, end: datetime) -> list[str]:
    """Warning: sensors that miss some of the day's hours (the day is still published)."""
    if frame.empty:
        return []
    hours = expected_hours(start, end)
    per_sensor = _hours_per_sensor(frame)
    short = per_sensor[per_sensor < hours]
    if short.empty:
        return []
    examples = ", ".join(f"sensor {sensor} has {count}" for sensor, count in short.head(5).items())
    more = f" and {len(short) - 5} more" if len(short) > 5 else ""
    return [f"{len(short)} of {len(per_sensor)} sensor(s) miss hours of the {hours}-hour day: {examples}{more}"]
