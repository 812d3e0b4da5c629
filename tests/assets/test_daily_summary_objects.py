"""`openaq/daily_summary` on measurements objects written straight into a real SeaweedFS: unit conversion against
the WHO levels, null values, bad objects (each fails the run with one line and publishes nothing), and the pod's
`materialize` in a subprocess (exit 3, the same bytes as in process)."""

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assets.city import VIENNA
from assets.measurements_parquet import object_key
from tests.assets.cities import partition_key
from tests.assets.summary_support import (
    assert_same_pollutants,
    expected_pollutants,
    file_key,
    frame_of,
    published_pollutants,
    published_summary,
    put_measurements,
    run_summary,
    store,
)

DAY = "2026-11-27"
REPO = Path(__file__).resolve().parents[2]
PUBLISHED = ("summary.json", "chart.png")


def published_objects(day: str = DAY) -> dict[str, bytes]:
    return {name: store().get_bytes(file_key(day, name)) for name in PUBLISHED if store().exists(file_key(day, name))}


def failure_of(day: str, source_key: str | None = None) -> str:
    result = run_summary(day, source_key=source_key)
    assert not result.success
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    error = failure.step_failure_data.error
    assert error is not None
    assert error.cls_name == "Failure"
    assert failure.step_failure_data.user_failure_data is not None
    message = failure.step_failure_data.user_failure_data.description or ""
    assert "\n" not in message
    return message


def test_co_in_ppm_is_judged_in_mg_per_cubic_metre(s3_env: dict[str, str]) -> None:
    # 3.6 ppm CO is 4.124 mg/m³: above the 4 mg/m³ guideline, though 3.6 < 4 if the units were ignored.
    # 14 ppb NO2 is 26.34 µg/m³: above 25, though 14 < 25. 20 ppb SO2 is 52.4 µg/m³: above 40.
    frame = frame_of(
        DAY,
        [
            (11, "co", "ppm", [3.6] * 24),
            (21, "no2", "ppb", [14.0] * 24),
            (31, "so2", "ppb", [20.0] * 24),
            (41, "pm25", "µg/m³", [10.0] * 12 + [20.0] * 12),
            (42, "pm25", "µg/m³", [12.0] * 24),
            (51, "nox", "ppb", [5.0] * 24),  # no guideline, no molar mass: kept in ppb, no verdict
        ],
    )
    put_measurements(DAY, frame)
    assert run_summary(DAY).success
    published = published_pollutants(DAY)
    assert published["co"]["units"] == "mg/m³"
    assert published["co"]["mean"] == 4.124
    assert published["co"]["exceeds_guideline"] is True
    assert published["no2"]["exceeds_guideline"] is True
    assert published["so2"]["exceeds_guideline"] is True
    assert published["pm25"]["mean"] == 13.5
    assert published["pm25"]["max"] == 16.0
    assert published["pm25"]["exceeds_guideline"] is False
    assert published["nox"] == {
        "units": "ppb",
        "hours_measured": 24,
        "sensors": 1,
        "mean": 5.0,
        "max": 5.0,
        "guideline": None,
        "exceeds_guideline": None,
    }
    del published["nox"]
    expected = expected_pollutants(frame[frame["parameter"] != "nox"])
    assert_same_pollutants(published, expected)


def test_null_values_are_hours_not_measured(s3_env: dict[str, str]) -> None:
    so2 = [None if hour in (0, 5, 23) else 30.0 + hour for hour in range(24)]
    frame = frame_of(
        DAY,
        [
            (31, "so2", "µg/m³", so2),
            (41, "pm10", "µg/m³", [None] * 12 + [50.0] * 12),
            (42, "pm10", "µg/m³", [40.0] * 6 + [None] * 18),  # hours 6..11: no pm10 sensor reported
        ],
    )
    put_measurements(DAY, frame)
    assert run_summary(DAY).success
    published = published_pollutants(DAY)
    assert published["so2"]["hours_measured"] == 21
    assert published["pm10"]["hours_measured"] == 18
    assert published_summary(DAY)["null_values"] == 3 + 12 + 18
    assert_same_pollutants(published, expected_pollutants(frame))


@pytest.mark.parametrize("hours", [24, 0], ids=["all-null", "no-rows"])
def test_a_day_without_values_is_summarised_as_such(s3_env: dict[str, str], hours: int) -> None:
    frame = frame_of(DAY, [(41, "pm25", "µg/m³", [None] * 24)]).head(hours)
    put_measurements(DAY, frame)
    assert run_summary(DAY).success
    summary = published_summary(DAY)
    assert summary["pollutants"] == []
    assert summary["null_values"] == hours
    assert store().get_bytes(file_key(DAY, "chart.png")).startswith(b"\x89PNG")  # one panel: "no measurements"


def _not_parquet() -> bytes:
    return b"PAR1 this is not a parquet file"


def _wrong_schema() -> bytes:
    frame = frame_of(DAY, [(41, "pm25", "µg/m³", [10.0] * 24)]).drop(columns=["units"])
    frame["value"] = frame["value"].astype(str)
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
    return bytes(sink.getvalue().to_pybytes())


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (_not_parquet, "is not a readable parquet object"),
        (
            _wrong_schema,
            "does not have the measurements schema: column units is missing; column value is large_string, "
            "expected double",
        ),
    ],
    ids=["not-parquet", "wrong-schema"],
)
def test_a_bad_object_fails_with_one_line_and_publishes_nothing(s3_env: dict[str, str], data, reason: str) -> None:
    put_measurements(DAY, frame_of(DAY, [(41, "pm25", "µg/m³", [10.0] * 24)]))
    assert run_summary(DAY).success
    before = published_objects()
    store().put_bytes(object_key(VIENNA.name, DAY), data(), "application/vnd.apache.parquet")
    message = failure_of(DAY)
    assert message.startswith(f"not summarising vienna {DAY}, nothing published: s3://")
    assert reason in message
    assert published_objects() == before  # the previous summary and chart stay as they were


def test_a_bad_first_object_publishes_no_object_at_all(s3_env: dict[str, str]) -> None:
    store().put_bytes(object_key(VIENNA.name, DAY), _not_parquet(), "application/vnd.apache.parquet")
    failure_of(DAY)
    assert published_objects() == {}


@pytest.mark.parametrize(
    "key",
    [
        f"air_quality/city=vienna/date={DAY}/measurements.csv",
        f"air_quality/vienna/{DAY}/measurements.parquet",
        "air_quality/city=vienna/date=2026-11-26/measurements.parquet",  # a valid key, but another partition's
    ],
)
def test_a_triggering_key_outside_the_pattern_or_partition_fails(s3_env: dict[str, str], key: str) -> None:
    put_measurements(DAY, frame_of(DAY, [(41, "pm25", "µg/m³", [10.0] * 24)]))
    message = failure_of(DAY, source_key=key)
    assert message.startswith(f"not summarising vienna {DAY}, nothing published: ")
    assert repr(key) in message
    assert published_objects() == {}
    assert run_summary(DAY, source_key=object_key(VIENNA.name, DAY)).success  # the partition's own key is fine


def test_rows_outside_the_local_day_are_a_bad_object(s3_env: dict[str, str]) -> None:
    frame = frame_of("2026-11-26", [(41, "pm25", "µg/m³", [10.0] * 24)])
    put_measurements(DAY, frame)
    assert "24 row(s) lie outside 2026-11-27 in Europe/Vienna" in failure_of(DAY)
    assert published_objects() == {}


def _pod_materialize(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The step an Argo pod runs for the summary."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "compiler",
            "materialize",
            "--module",
            "assets",
            "--asset",
            "openaq/daily_summary",
            "--partition",
            partition_key(VIENNA.name, DAY),
        ],
        cwd=REPO,
        env={**os.environ, **env, "OPENAQ_API_KEY": "unused-by-the-summary"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_the_pod_publishes_the_same_bytes_and_exits_3_on_a_bad_object(s3_env: dict[str, str]) -> None:
    put_measurements(DAY, frame_of(DAY, [(41, "pm25", "µg/m³", [float(h) for h in range(24)])]))
    assert run_summary(DAY).success
    in_process = published_objects()
    for name in PUBLISHED:
        store().client().remove_object(store().bucket, file_key(DAY, name))

    done = _pod_materialize(s3_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert published_objects() == in_process  # another process, the same bytes

    store().put_bytes(object_key(VIENNA.name, DAY), _not_parquet(), "application/vnd.apache.parquet")
    failed = _pod_materialize(s3_env)
    assert failed.returncode == 3, failed.stdout + failed.stderr  # permanent: Argo does not retry it
    last = failed.stdout.strip().splitlines()[-1]
    assert f"not summarising vienna {DAY}, nothing published: s3://" in last
    assert "is not a readable parquet object" in last
    assert "Traceback" not in failed.stdout + failed.stderr
    assert s3_env["MINIO_SECRET_KEY"] not in failed.stdout + failed.stderr
    assert published_objects() == in_process
