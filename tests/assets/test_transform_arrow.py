"""The streamed clean step's pyarrow path: the same parquet bytes, counts and errors as msgspec's whole-document path.

Blocks are made small (`_BLOCK_BYTES`) so that a small day spans many blocks, and the answer is compared with
`clean_city_day_json`, which decodes the whole document with msgspec and never uses pyarrow.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest

import assets.transform_arrow as transform_arrow
from assets.measurements_parquet import measurements_to_parquet
from assets.transform import RawDataError, clean_city_day_chunks, clean_city_day_json
from assets.transform_arrow import Splitter, _parse
from benchmarks.synthetic_raw import synthetic_raw_bytes
from tests.assets.test_transform import city_day, hour


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transform_arrow, "_BLOCK_BYTES", 600)


def _stored(raw: dict[str, Any]) -> bytes:
    return json.dumps(raw, ensure_ascii=False, separators=(",", ":")).encode()


def _chunked(data: bytes, size: int) -> Iterator[bytes]:
    return (data[i : i + size] for i in range(0, len(data), size))


def _assert_same(data: bytes, size: int = 997) -> None:
    whole = clean_city_day_json(data)
    streamed = clean_city_day_chunks(_chunked(data, size))
    assert measurements_to_parquet(streamed.frame) == measurements_to_parquet(whole.frame)
    assert (streamed.rows_in, streamed.dropped) == (whole.rows_in, whole.dropped)
    assert streamed.rows_without_location_name == whole.rows_without_location_name


def test_every_block_of_the_raw_steps_document_is_parsed_by_pyarrow() -> None:
    data = synthetic_raw_bytes(2_000)
    head_end = data.index(b',"measurements":[') + len(b',"measurements":[')
    splitter = Splitter(bytearray(data[head_end:]), iter(()))
    blocks = list(iter(splitter.next_block, None))
    assert len(blocks) > 10
    assert all(_parse(block) is not None for block in blocks)
    _assert_same(data)


@pytest.mark.parametrize("size", [1, 64, 10**9])
def test_nulls_unnamed_locations_and_drops_match_msgspec(size: int) -> None:
    bare = hour(7.0, 4)
    bare.update(parameter=None, period=None, flagInfo=None)
    partial = hour(8.0, 5, "o3", "ppm")
    partial["period"]["datetimeTo"] = {"utc": None}
    partial["parameter"]["units"] = None
    groups = [
        {"location_id": 11, "sensor_id": 100 + i, "results": [hour(float(i), i % 24), hour(None, 2), bare]}
        for i in range(12)
    ]
    groups += [
        {"location_id": 13, "sensor_id": 300, "results": [hour(1.5, 1, "no2", "ppb"), partial, hour(-1.0, 3)]},
        {"location_id": 14, "sensor_id": 400, "results": []},
        {"location_id": 12, "sensor_id": 500, "results": [hour(2.0, 1), hour(2.0, 1), hour(-999.0, 6)]},
    ]
    raw = city_day(groups)
    raw["locations"] += [{"id": 13, "name": None, "coordinates": None}, {"id": 14, "name": "", "coordinates": {}}]
    _assert_same(_stored(raw), size)


def test_a_cut_inside_a_nested_row_falls_back_to_msgspec_for_the_rest() -> None:
    tricky = hour(4.25, 2)
    tricky["nested"] = [{"a": []}, {"location_id": 5, "x": [1.5e-7, None, True]}]
    groups = [{"location_id": 11, "sensor_id": 100 + i, "results": [hour(float(i), i % 24)]} for i in range(20)]
    groups.insert(15, {"location_id": 12, "sensor_id": 999, "results": [tricky, hour(3.0, 7)]})
    _assert_same(_stored(city_day(groups)))


def test_errors_after_parsed_blocks_name_the_sensor_and_the_group() -> None:
    row = hour(3.0, 1)
    row["period"] = "yesterday"
    groups = [{"location_id": 11, "sensor_id": 100 + i, "results": [hour(1.0, 0)]} for i in range(20)]
    groups.append({"location_id": 12, "sensor_id": 202, "results": [hour(2.0, 0), row]})
    with pytest.raises(RawDataError, match=r"in sensor 202: .*measurements\[20\]\.results\[1\]\.period"):
        clean_city_day_chunks(_chunked(_stored(city_day(groups)), 100))
    groups[-1] = {"location_id": 77, "sensor_id": 707, "results": [hour(2.0, 0)]}
    groups.append({"location_id": 12, "sensor_id": 808, "results": [row]})
    with pytest.raises(RawDataError, match=r"sensor 707 refers to location 77 not in raw data"):
        clean_city_day_chunks(_chunked(_stored(city_day(groups)), 100))


def test_a_document_not_ending_with_the_list_is_refused_after_its_groups() -> None:
    groups = [{"location_id": 11, "sensor_id": 100 + i, "results": [hour(1.0, 0)]} for i in range(20)]
    data = _stored(city_day(groups))
    with pytest.raises(RawDataError, match="do not end with the measurements list"):
        clean_city_day_chunks(_chunked(data[:-2] + b"}", 100))
    empty = _stored(city_day([]))
    assert clean_city_day_chunks(_chunked(empty, 5)).rows_in == clean_city_day_json(empty).rows_in
