"""One city-day's summary per pollutant: hours measured, daily mean and maximum, and the WHO 2021 24-hour verdict.

Definitions (the summary's contract):
- every value is first converted to its pollutant's reporting unit (`guidelines.py`); rows with a null value are
  not measurements and are only counted (`null_values`);
- the city's **hourly value** of a pollutant is the mean over the sensors that reported that hour (µg/m³, or mg/m³
  for CO); an hour is **measured** when at least one sensor reported it;
- the **daily mean** is the mean of the measured hourly values, the **maximum** their maximum; a day has 23, 24 or
  25 hours (DST), so `hours_measured` is read against `hours_in_day`;
- the daily mean **exceeds** the guideline when, rounded as published (3 decimals), it is strictly greater than it;
  pollutants without a guideline, or in units that cannot be converted to the guideline's, get `null`.
"""

import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from assets.openaq.units import canonical_parameter, canonical_units
from assets.summary.guidelines import CONVERSION, SOURCE, Guideline, conversion, guideline_for
from assets.summary.source import BadSourceObject

DECIMALS = 3
_GROUP = ["parameter", "units"]


@dataclass(frozen=True)
class PollutantSummary:
    """One pollutant of one day, in `units` (its reporting unit when it has one)."""

    parameter: str
    units: str
    hours_measured: int
    sensors: int
    mean: float
    maximum: float
    guideline: Guideline | None
    converted_from: tuple[str, ...]

    @property
    def exceeds(self) -> bool | None:
        """Whether the published (rounded) daily mean is above the guideline; None without a guideline."""
        return None if self.guideline is None else round(self.mean, DECIMALS) > self.guideline.level


@dataclass(frozen=True)
class DaySummary:
    """The summary of one city-day, and the hourly values (columns parameter, units, period_start, period_end,
    value; one row per pollutant-hour, sorted) the chart draws."""

    city: str
    day: str
    timezone: str
    start: datetime
    end: datetime
    pollutants: tuple[PollutantSummary, ...]
    hourly: pd.DataFrame
    null_values: int

    @property
    def hours_in_day(self) -> int:
        return int((self.end - self.start) / timedelta(hours=1))


def summarise(frame: pd.DataFrame, city: str, day: str, timezone: str, start: datetime, end: datetime) -> DaySummary:
    """The summary of the measurements `frame` (MEASUREMENT_SCHEMA columns) of the local day [start, end) (UTC).
    BadSourceObject when a row lies outside that day."""
    outside = frame[(frame["period_start"] < start) | (frame["period_end"] > end)]
    if len(outside):
        first = outside.iloc[0]
        raise BadSourceObject(
            f"{len(outside)} row(s) lie outside {day} in {timezone} ({start.isoformat()}..{end.isoformat()}), e.g. "
            f"sensor {first['sensor_id']} ending {first['period_end'].isoformat()}"
        )
    measured = frame[frame["value"].notna()]
    converted = _converted(measured)
    hourly = (
        converted.groupby([*_GROUP, "period_start", "period_end"], sort=True)["value"].mean().reset_index()
        if len(converted)
        else pd.DataFrame(columns=[*_GROUP, "period_start", "period_end", "value"])
    )
    pollutants = tuple(_pollutant(converted, hourly, str(p), str(u)) for p, u in _pairs(hourly))
    return DaySummary(city, day, timezone, start, end, pollutants, hourly, int(len(frame) - len(measured)))


def _converted(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in reporting units, sorted so that every later sum adds in the same order (byte-stable means)."""
    pairs = frame[_GROUP].drop_duplicates()
    table = {
        (p, u): (canonical_parameter(p), *conversion(p, u), canonical_units(u))
        for p, u in zip(pairs["parameter"], pairs["units"], strict=True)
    }
    keys = list(zip(frame["parameter"], frame["units"], strict=True))
    out = pd.DataFrame(
        {
            "parameter": [table[k][0] for k in keys],
            "units": [table[k][1] for k in keys],
            "value": frame["value"].to_numpy(dtype=float) * [table[k][2] for k in keys],
            "source_units": [table[k][3] for k in keys],
            "sensor_id": frame["sensor_id"].to_numpy(),
            "period_start": frame["period_start"].to_numpy(),
            "period_end": frame["period_end"].to_numpy(),
        }
    )
    if len(out):
        out["period_start"] = pd.to_datetime(out["period_start"], utc=True)
        out["period_end"] = pd.to_datetime(out["period_end"], utc=True)
    return out.sort_values([*_GROUP, "period_end", "sensor_id"], kind="stable").reset_index(drop=True)


def _pairs(hourly: pd.DataFrame) -> list[tuple[str, str]]:
    return sorted({(str(p), str(u)) for p, u in zip(hourly["parameter"], hourly["units"], strict=True)})


def _pollutant(converted: pd.DataFrame, hourly: pd.DataFrame, parameter: str, units: str) -> PollutantSummary:
    rows = converted[(converted["parameter"] == parameter) & (converted["units"] == units)]
    hours = hourly[(hourly["parameter"] == parameter) & (hourly["units"] == units)]["value"]
    return PollutantSummary(
        parameter=parameter,
        units=units,
        hours_measured=len(hours),
        sensors=int(rows["sensor_id"].nunique()),
        mean=float(hours.mean()),
        maximum=float(hours.max()),
        guideline=guideline_for(parameter, units),
        converted_from=tuple(sorted(set(rows["source_units"]) - {units})),
    )


def summary_document(summary: DaySummary, source: dict[str, Any], chart: dict[str, Any]) -> dict[str, Any]:
    """The JSON document of `summary`; `source` and `chart` describe the objects it was read from and drawn into."""
    return {
        "city": summary.city,
        "date": summary.day,
        "timezone": summary.timezone,
        "window_utc": {"start": _utc(summary.start), "end": _utc(summary.end)},
        "hours_in_day": summary.hours_in_day,
        "null_values": summary.null_values,
        "guidelines": SOURCE,
        "unit_conversion": CONVERSION,
        "source": source,
        "chart": chart,
        "pollutants": [
            {
                "parameter": p.parameter,
                "units": p.units,
                "hours_measured": p.hours_measured,
                "sensors": p.sensors,
                "mean": p.mean,
                "max": p.maximum,
                "guideline": None if p.guideline is None else p.guideline.level,
                "exceeds_guideline": p.exceeds,
                "converted_from": list(p.converted_from),
            }
            for p in summary.pollutants
        ],
    }


def encode_document(document: dict[str, Any]) -> bytes:
    """Deterministic JSON: sorted keys, two-space indent, UTF-8, floats rounded to 3 decimals (shortest repr, -0.0
    as 0.0), a final newline. NaN and infinities are refused (they are not JSON)."""
    text = json.dumps(_rounded(document), sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} is not a JSON number")
        return round(value, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value


def _utc(moment: datetime) -> str:
    return pd.Timestamp(moment).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
