"""Helpers for the daily-summary tests: measurements objects written straight into the real store, the summary
asset run in process, and the summary computed independently with pandas (not with assets.summary)."""

import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from dagster import DagsterInstance, ExecuteInProcessResult, materialize

from assets import defs
from assets.city import VIENNA
from assets.measurement_schema import MEASUREMENT_SCHEMA
from assets.measurements_parquet import measurements_to_parquet, object_key
from assets.openaq.window import day_window_utc
from assets.resources.object_store import ObjectStore
from tests.assets.cities import partition_key

SUMMARY = defs.get_assets_def(["openaq", "daily_summary"])
OP_NAME = "openaq__daily_summary"
# WHO 2021 24-hour guidelines, written here from the WHO table (µg/m³; CO in mg/m³), not imported.
WHO = {"pm25": 15.0, "pm10": 45.0, "no2": 25.0, "so2": 40.0, "co": 4.0}
# Mixing ratio → mass concentration at 25 °C, 1 atm: M / 24.45 µg/m³ per ppb (WHO 2021's reference conditions).
TO_REPORTING = {
    ("o3", "ppm"): 1000 * 47.997 / 24.45,  # → µg/m³
    ("no2", "ppb"): 46.0055 / 24.45,  # → µg/m³
    ("so2", "ppb"): 64.066 / 24.45,  # → µg/m³
    ("co", "ppm"): 28.010 / 24.45,  # → mg/m³
    ("co", "µg/m³"): 0.001,  # → mg/m³
}
REPORTING_UNITS = {"co": "mg/m³"}


def store() -> ObjectStore:
    return ObjectStore.from_env()


def file_key(day: str, name: str, city: str = VIENNA.name) -> str:
    return f"air_quality/city={city}/date={day}/{name}"


def run_summary(day: str, city: str = VIENNA.name, source_key: str | None = None) -> ExecuteInProcessResult:
    config = {} if source_key is None else {"ops": {OP_NAME: {"config": {"source_key": source_key}}}}
    return materialize(
        [SUMMARY],
        partition_key=partition_key(city, day),
        resources=defs.resources or {},
        instance=DagsterInstance.ephemeral(),
        run_config=config,
        raise_on_error=False,
    )


def hours_of(day: str) -> list[pd.Timestamp]:
    """The period starts of the Vienna local day, in UTC (23, 24 or 25 of them)."""
    start, end = day_window_utc(date.fromisoformat(day), VIENNA.timezone)
    count = int((end - start) / timedelta(hours=1))
    return [pd.Timestamp(start) + pd.Timedelta(hours=h) for h in range(count)]


def frame_of(day: str, sensors: Iterable[tuple[int, str, str, Sequence[float | None]]]) -> pd.DataFrame:
    """Rows of (sensor, parameter, units, one value per hour of the day; None = a null value)."""
    rows: list[dict[str, Any]] = []
    starts = hours_of(day)
    for sensor, parameter, units, values in sensors:
        rows += [
            {
                "location_id": sensor // 10,
                "location_name": f"station {sensor // 10}",
                "sensor_id": sensor,
                "parameter": parameter,
                "units": units,
                "value": value,
                "period_start": start,
                "period_end": start + pd.Timedelta(hours=1),
                "latitude": 48.2,
                "longitude": 16.37,
                "has_flags": False,
            }
            for start, value in zip(starts, values, strict=True)
        ]
    return pd.DataFrame(rows, columns=list(MEASUREMENT_SCHEMA.names))


def put_measurements(day: str, frame: pd.DataFrame) -> None:
    """The frame as the measurements object; with null values the `value` field is declared nullable."""
    if frame["value"].isna().any():
        schema = MEASUREMENT_SCHEMA.set(
            MEASUREMENT_SCHEMA.get_field_index("value"), pa.field("value", pa.float64(), nullable=True)
        )
        sink = io.BytesIO()
        pq.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False), sink)
        data = sink.getvalue()
    else:
        data = measurements_to_parquet(frame)
    store().put_bytes(object_key(VIENNA.name, day), data, "application/vnd.apache.parquet")


def published_summary(day: str, city: str = VIENNA.name) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(store().get_bytes(file_key(day, "summary.json", city)))
    return loaded


def expected_pollutants(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per pollutant, computed with a pandas groupby: values in reporting units, the hourly value the mean over
    sensors, daily mean and max over the hours, the verdict against WHO."""
    measured = frame.dropna(subset=["value"]).copy()
    factors = [TO_REPORTING.get((p, u), 1.0) for p, u in zip(measured["parameter"], measured["units"], strict=True)]
    measured["value"] = measured["value"] * factors
    hourly = measured.groupby(["parameter", "period_end"])["value"].mean()
    daily = hourly.groupby(level="parameter").agg(["count", "mean", "max"])
    sensors = measured.groupby("parameter")["sensor_id"].nunique()
    result = {}
    for parameter, row in daily.iterrows():
        name = str(parameter)
        mean = round(float(row["mean"]), 3)
        result[name] = {
            "units": REPORTING_UNITS.get(name, "µg/m³"),
            "hours_measured": int(row["count"]),
            "sensors": int(sensors[name]),
            "mean": mean,
            "max": round(float(row["max"]), 3),
            "guideline": WHO.get(name),
            "exceeds_guideline": None if name not in WHO else mean > WHO[name],
        }
    return result


def published_pollutants(day: str, city: str = VIENNA.name) -> dict[str, dict[str, Any]]:
    """The summary's pollutants by parameter, with the fields expected_pollutants computes."""
    fields = ("units", "hours_measured", "sensors", "mean", "max", "guideline", "exceeds_guideline")
    return {p["parameter"]: {field: p[field] for field in fields} for p in published_summary(day, city)["pollutants"]}


def assert_same_pollutants(published: dict[str, dict[str, Any]], expected: dict[str, dict[str, Any]]) -> None:
    """Equal, with means and maxima to the published 3 decimals (two summation orders may differ in the last bit)."""
    assert sorted(published) == sorted(expected)
    for name, want in expected.items():
        got = published[name]
        assert {k: v for k, v in got.items() if k not in ("mean", "max")} == {
            k: v for k, v in want.items() if k not in ("mean", "max")
        }, name
        assert abs(got["mean"] - want["mean"]) <= 0.0011, (name, got["mean"], want["mean"])
        assert abs(got["max"] - want["max"]) <= 0.0011, (name, got["max"], want["max"])
