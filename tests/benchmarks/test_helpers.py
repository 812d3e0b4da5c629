"""The benchmark helpers produce correct data: synthetic days of the asked size, variants that agree, honest stats."""

import io
import json

import pyarrow.parquet as pq
import pytest

from benchmarks.measure import Samples, worker_json
from benchmarks.report import Row, render_table
from benchmarks.synthetic_raw import synthetic_raw_bytes
from benchmarks.transform_variants import naive, pipeline, pyarrow_floor


@pytest.mark.parametrize(("rows", "sensors", "last_sensor_rows"), [(1, 1, 1), (24, 1, 24), (50, 3, 2), (1000, 42, 16)])
def test_synthetic_day_has_the_requested_rows(rows: int, sensors: int, last_sensor_rows: int) -> None:
    raw = json.loads(synthetic_raw_bytes(rows))
    groups = raw["measurements"]
    assert len(groups) == sensors
    assert sum(len(group["results"]) for group in groups) == rows
    assert len(groups[-1]["results"]) == last_sensor_rows
    located = {location["id"] for location in raw["locations"]}
    assert {group["location_id"] for group in groups} <= located


def test_every_fiftieth_value_is_null_and_rows_have_the_api_shape() -> None:
    raw = json.loads(synthetic_raw_bytes(120))
    values = [row["value"] for group in raw["measurements"] for row in group["results"]]
    assert [i for i, value in enumerate(values) if value is None] == [0, 50, 100]
    row = raw["measurements"][0]["results"][1]
    assert set(row) == {"value", "flagInfo", "parameter", "period", "coordinates", "summary", "coverage"}
    assert row["period"]["datetimeFrom"]["utc"] == "2026-11-27T00:00:00Z"  # hour 1 of the Vienna day 2026-11-27
    assert row["period"]["datetimeTo"]["utc"] == "2026-11-27T01:00:00Z"
    assert raw["request"]["window_start_utc"] == "2026-11-26T23:00:00Z"
    assert raw["request"]["window_end_utc"] == "2026-11-27T23:00:00Z"


def test_same_size_gives_the_same_bytes() -> None:
    assert synthetic_raw_bytes(300) == synthetic_raw_bytes(300)


def test_the_three_variants_keep_the_same_rows() -> None:
    data = synthetic_raw_bytes(1000)
    results = {variant.__name__: variant(data) for variant in (pipeline, naive, pyarrow_floor)}
    assert {name: kept for name, (kept, _) in results.items()} == {"pipeline": 980, "naive": 980, "pyarrow_floor": 980}
    tables = {name: pq.read_table(io.BytesIO(parquet)) for name, (_, parquet) in results.items()}
    keyed = {
        name: sorted(
            zip(
                table.column("sensor_id").to_pylist(),
                table.column("period_end").to_pylist(),
                table.column("value").to_pylist(),
                strict=True,
            )
        )
        for name, table in tables.items()
    }
    assert keyed["pipeline"] == keyed["pyarrow_floor"] == keyed["naive"]


def test_transform_worker_reports_rows_time_and_memory(tmp_path) -> None:
    path = tmp_path / "day.json"
    path.write_bytes(synthetic_raw_bytes(480))
    result = worker_json("benchmarks.transform_worker", "pipeline", str(path))
    assert result["rows"] == 480 - 10
    assert result["seconds"] > 0
    assert result["peak_bytes"] >= 0
    assert result["bytes"] > 0


def test_samples_and_table() -> None:
    samples = Samples((3.0, 1.0, 2.0, 10.0))
    assert (samples.median, samples.low, samples.high) == (2.5, 1.0, 10.0)
    table = render_table([Row("fetch", "wall time", samples, "s", "target met")])
    line = table.splitlines()[-1]
    assert line.split()[:7] == ["fetch", "wall", "time", "2.5", "1", "10", "s"]
    assert line.rstrip().endswith("target met")
