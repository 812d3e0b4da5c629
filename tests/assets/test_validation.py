"""The publishing rules: schema, physical ranges and the partition window, each with a message that says what."""

from datetime import UTC, datetime

import pandas as pd

from assets.validation import range_problems, schema_problems, window_problems


def frame(values: list[float], parameter: str = "pm25", units: str = "µg/m³", hour_ends: list[str] | None = None):
    ends = pd.to_datetime(hour_ends or [f"2026-11-27T0{i + 1}:00:00Z" for i in range(len(values))], utc=True)
    return pd.DataFrame(
        {
            "location_id": pd.Series([1] * len(values), dtype="int64"),
            "location_name": pd.Series(["Wien"] * len(values), dtype="string"),
            "sensor_id": pd.Series([7] * len(values), dtype="int64"),
            "parameter": pd.Series([parameter] * len(values), dtype="string"),
            "units": pd.Series([units] * len(values), dtype="string"),
            "value": pd.Series(values, dtype="float64"),
            "period_start": (ends - pd.Timedelta(hours=1)).as_unit("us"),
            "period_end": ends.as_unit("us"),
            "latitude": pd.Series([48.2] * len(values), dtype="float64"),
            "longitude": pd.Series([16.4] * len(values), dtype="float64"),
            "has_flags": pd.Series([False] * len(values), dtype="bool"),
        }
    )


def test_a_well_formed_table_has_no_problems() -> None:
    good = frame([1.0, 999.0])
    assert schema_problems(good) == []
    assert range_problems(good) == []


def test_a_missing_column_is_named() -> None:
    problems = schema_problems(frame([1.0]).drop(columns=["has_flags"]))
    assert len(problems) == 1
    assert "has_flags" in problems[0]


def test_a_wrong_dtype_is_named() -> None:
    wrong = frame([1.0])
    wrong["sensor_id"] = wrong["sensor_id"].astype("float64")
    assert schema_problems(wrong) == ["column sensor_id has dtype float64, expected int64"]


def test_an_out_of_range_value_is_reported_with_sensor_and_hour() -> None:
    problems = range_problems(frame([12.0, 5000.0]))
    assert problems == ["1 pm25 value(s) outside 0..1000 µg/m³, e.g. 5000 from sensor 7 at 2026-11-27T02:00:00+00:00"]


def test_a_parameter_without_a_known_range_is_a_problem() -> None:
    assert range_problems(frame([1.0], parameter="mystery", units="x")) == [
        "1 row(s) of mystery in x: no physical range is known"
    ]


def test_periods_outside_the_window_are_counted() -> None:
    start, end = datetime(2026, 11, 26, 23, tzinfo=UTC), datetime(2026, 11, 27, 23, tzinfo=UTC)
    table = frame([1.0, 2.0], hour_ends=["2026-11-27T00:00:00Z", "2026-11-28T00:00:00Z"])
    problems = window_problems(table, start, end)
    assert len(problems) == 1
    assert problems[0].startswith("1 period(s) outside 2026-11-26T23:00:00+00:00..2026-11-27T23:00:00+00:00")
    assert window_problems(table.iloc[:1], start, end) == []
