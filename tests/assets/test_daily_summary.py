"""`openaq/daily_summary` on the real pipeline: the local OpenAQ server over HTTP, the three nightly assets, then the
summary, all on a real SeaweedFS; the published summary is compared with a pandas groupby written in the test."""

import base64
import hashlib
import io
import json
import re
import struct
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance, TableMetadataValue, materialize

from assets import defs
from assets.city import VIENNA
from assets.measurements_parquet import object_key
from devservices.openaq_server.app import OpenAQServer
from devservices.openaq_server.faults import Fault
from tests.assets.cities import partition_key
from tests.assets.summary_support import (
    assert_same_pollutants,
    expected_pollutants,
    file_key,
    published_pollutants,
    published_summary,
    run_summary,
    store,
)

NIGHTLY = [defs.get_assets_def(["openaq", name]) for name in ("raw_measurements", "clean_measurements")]
PARQUET = defs.get_assets_def(["openaq", "measurements_parquet"])
SUMMARY = defs.get_assets_def(["openaq", "daily_summary"])


@pytest.fixture
def pipeline_env(s3_env: dict[str, str], openaq_env: OpenAQServer) -> OpenAQServer:
    return openaq_env


def run_nightly_and_summary(day: str) -> None:
    result = materialize(
        [*NIGHTLY, PARQUET, SUMMARY],
        partition_key=partition_key(VIENNA.name, day),
        resources=defs.resources or {},
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert result.success
    return None


def published_frame(day: str) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(store().get_bytes(object_key(VIENNA.name, day))))


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk, read with struct (no imaging library)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def png_chunk_types(data: bytes) -> list[bytes]:
    types, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        types.append(data[offset + 4 : offset + 8])
        offset += 12 + length
    return types


def test_the_summary_equals_a_pandas_groupby_of_the_published_parquet(pipeline_env: OpenAQServer) -> None:
    run_nightly_and_summary("2026-11-27")
    frame = published_frame("2026-11-27")
    expected = expected_pollutants(frame)
    assert_same_pollutants(published_pollutants("2026-11-27"), expected)
    assert set(expected) == {"no2", "o3", "pm10", "pm25"}  # the synthetic city's pollutants
    summary = published_summary("2026-11-27")
    assert summary["hours_in_day"] == 24
    assert summary["window_utc"] == {"start": "2026-11-26T23:00:00Z", "end": "2026-11-27T23:00:00Z"}
    o3 = next(p for p in summary["pollutants"] if p["parameter"] == "o3")
    assert o3["converted_from"] == ["ppm"]  # the synthetic city has O3 sensors in ppm and in µg/m³
    assert summary["source"]["uri"] == store().uri(object_key(VIENNA.name, "2026-11-27"))
    parquet = store().get_bytes(object_key(VIENNA.name, "2026-11-27"))
    assert summary["source"]["sha256"] == hashlib.sha256(parquet).hexdigest()
    chart = store().get_bytes(file_key("2026-11-27", "chart.png"))
    assert summary["chart"]["sha256"] == hashlib.sha256(chart).hexdigest()


def test_the_dagster_ui_gets_the_uris_a_table_and_the_chart(pipeline_env: OpenAQServer) -> None:
    run_nightly_and_summary("2026-11-27")
    result = run_summary("2026-11-27")
    assert result.success
    (event,) = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    assert metadata["summary_uri"].value == store().uri(file_key("2026-11-27", "summary.json"))
    assert metadata["chart_uri"].value == store().uri(file_key("2026-11-27", "chart.png"))
    markdown = str(metadata["chart"].value)
    match = re.fullmatch(r"!\[[^\]]*\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", markdown)
    assert match is not None
    assert base64.b64decode(match[1]) == store().get_bytes(file_key("2026-11-27", "chart.png"))
    table = metadata["summary"]
    assert isinstance(table, TableMetadataValue)
    rows = {record.data["parameter"]: record.data for record in table.records}
    assert set(rows) == {"no2", "o3", "pm10", "pm25"}
    assert rows["o3"]["guideline"] == ""
    assert rows["o3"]["exceeds_guideline"] == ""
    assert rows["pm25"]["guideline"] == "15"


@pytest.mark.parametrize(("day", "hours"), [("2026-03-29", 23), ("2026-10-25", 25)])
def test_dst_days_summarise_23_and_25_hours(pipeline_env: OpenAQServer, day: str, hours: int) -> None:
    run_nightly_and_summary(day)
    summary = published_summary(day)
    assert summary["hours_in_day"] == hours
    assert {p["hours_measured"] for p in summary["pollutants"]} == {hours}
    assert_same_pollutants(published_pollutants(day), expected_pollutants(published_frame(day)))


def test_two_runs_publish_the_same_bytes_and_a_clean_png(pipeline_env: OpenAQServer) -> None:
    run_nightly_and_summary("2026-11-20")
    first = [store().get_bytes(file_key("2026-11-20", name)) for name in ("summary.json", "chart.png")]
    assert run_summary("2026-11-20").success
    second = [store().get_bytes(file_key("2026-11-20", name)) for name in ("summary.json", "chart.png")]
    assert second == first
    summary, chart = first
    assert summary.endswith(b"\n")
    assert summary.decode("utf-8")
    assert png_size(chart) == (1000, round((0.9 + 2.2 * 4) * 100))  # 10 in wide, 4 panels, 100 dpi
    assert set(png_chunk_types(chart)) <= {b"IHDR", b"IDAT", b"IEND", b"pHYs"}  # no tEXt: no Software, no time
    assert re.findall(rb"\d\.\d{4,}", summary) == []  # every float to at most 3 decimals
    assert json.loads(summary) == json.loads(json.dumps(json.loads(summary), sort_keys=True))
    assert list(json.loads(summary)) == sorted(json.loads(summary))  # keys sorted


def test_the_chart_font_is_matplotlibs_bundled_one_whatever_the_system_has() -> None:
    import matplotlib
    from matplotlib.font_manager import FontProperties, findfont

    found = Path(findfont(FontProperties(family="DejaVu Sans")))
    assert found.is_relative_to(Path(matplotlib.get_data_path()))


def test_null_values_upstream_are_dropped_before_the_summary(pipeline_env: OpenAQServer) -> None:
    sensor = 9001021  # North-East's no2 sensor; the cleaning drops its null hours, the other no2 sensors remain
    pipeline_env.faults.add(Fault(kind="null_values", path="/v3/sensors/*/hours", sensor_id=sensor, rows=3))
    run_nightly_and_summary("2026-11-27")
    frame = published_frame("2026-11-27")
    assert len(frame[frame["sensor_id"] == sensor]) == 21
    assert_same_pollutants(published_pollutants("2026-11-27"), expected_pollutants(frame))
