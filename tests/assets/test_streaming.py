"""The raw day written and read as a stream: same bytes as one `json.dumps`, published only whole, decoded alike."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from dagster import AssetKey, build_output_context

from assets.io_manager import ObjectStoreIOManager, StoredChunks
from assets.openaq.day_document import CityDayDocument, SpooledRows, dumps
from assets.resources.object_store import ObjectStore
from assets.transform import RawDataError, clean_city_day_chunks, clean_city_day_json
from tests.assets.test_transform import city_day, hour

RAW = AssetKey(["openaq", "raw_measurements"])


def _stored(raw: dict[str, Any]) -> bytes:
    """What the IO manager stored for a dict before streaming: the reference the stream must reproduce."""
    return json.dumps(raw, ensure_ascii=False, separators=(",", ":")).encode()


def _document(raw: dict[str, Any]) -> CityDayDocument:
    """`raw` written the way the raw step writes it: groups spooled out of order, read out in `raw`'s order."""
    spool = SpooledRows()
    for group in reversed(raw["measurements"]):
        spool.add(group["sensor_id"], group["results"])
    sensors = [(g["sensor_id"], g["location_id"]) for g in raw["measurements"]]
    return CityDayDocument(raw["request"], raw["stats"], dumps(raw["locations"]), sensors, spool)


def _awkward_day() -> dict[str, Any]:
    """Non-ASCII, escapes, floats, nulls, and the byte runs the reader splits on, inside strings and nested rows."""
    tricky = hour(4.25, 2)
    tricky["note"] = 'text with },{"location_id": and ,"measurements":[ and "quotes" and ü\n'
    tricky["nested"] = [{"a": []}, {"location_id": 5, "x": [1.5e-7, None, True]}]
    raw = city_day(
        [
            {"location_id": 11, "sensor_id": 101, "results": [hour(10.5, 1, flagged=True), tricky, hour(None, 3)]},
            {"location_id": 12, "sensor_id": 202, "results": []},
            {"location_id": 12, "sensor_id": 203, "results": [hour(-999.0, 5, "no2"), hour(6.0, 3, "no2")]},
        ]
    )
    raw["locations"][0]["extra"] = {"measurements": [{"location_id": 1}], "label": ',"measurements":['}
    raw["stats"].update({"rows": 6, "sensors": 3})
    return raw


def _chunked(data: bytes, size: int) -> Iterator[bytes]:
    return (data[i : i + size] for i in range(0, len(data), size))


def test_the_streamed_document_is_the_dict_serialised_at_once() -> None:
    raw = _awkward_day()
    document = _document(raw)
    try:
        streamed = document.reader().read()
        assert streamed == _stored(raw)
        assert document.length == len(streamed)
    finally:
        document.close()
    empty = {key: value for key, value in raw.items()} | {"measurements": []}
    document = _document(empty)
    try:
        assert document.to_bytes() == _stored(empty)
        assert document.length == len(_stored(empty))
    finally:
        document.close()


@pytest.mark.parametrize("size", [1, 13, 4096, 10**9])
def test_chunked_cleaning_matches_whole_document_cleaning(size: int) -> None:
    data = _stored(_awkward_day())
    whole = clean_city_day_json(data)
    streamed = clean_city_day_chunks(_chunked(data, size))
    assert streamed.frame.equals(whole.frame)
    assert (streamed.rows_in, streamed.dropped) == (whole.rows_in, whole.dropped)
    assert streamed.rows_in == 5
    assert len(streamed.frame) == 3


def test_a_document_in_another_layout_is_cleaned_whole() -> None:
    raw = _awkward_day()
    spaced = json.dumps(raw).encode()  # default separators: not the raw step's layout
    reordered = _stored({"measurements": raw["measurements"], **{k: v for k, v in raw.items() if k != "measurements"}})
    for data in (spaced, reordered):
        assert clean_city_day_chunks(_chunked(data, 7)).frame.equals(clean_city_day_json(data).frame)


def test_a_bad_row_in_a_streamed_group_names_the_sensor_and_the_path() -> None:
    row = hour(3.0, 1)
    row["period"] = "yesterday"
    raw = city_day(
        [
            {"location_id": 11, "sensor_id": 101, "results": [hour(1.0, 0)]},
            {"location_id": 12, "sensor_id": 202, "results": [hour(2.0, 0), row]},
        ]
    )
    with pytest.raises(RawDataError, match=r"in sensor 202: .*measurements\[1\]\.results\[1\]\.period"):
        clean_city_day_chunks(_chunked(_stored(raw), 5))


def _big_day(sensors: int) -> dict[str, Any]:
    groups = [{"location_id": 11, "sensor_id": s, "results": [hour(1.0, h) for h in range(24)]} for s in range(sensors)]
    return city_day(groups)


def test_a_document_larger_than_a_part_is_published_whole(s3_env: dict[str, str]) -> None:
    store = ObjectStore.from_env()
    manager = ObjectStoreIOManager(store=store)
    raw = _big_day(1_600)  # about 12 MB: a multipart upload of two 8 MiB parts
    context = build_output_context(asset_key=RAW, partition_key="2026-11-27")
    manager.handle_output(context, _document(raw))
    key = "dagster/openaq/raw_measurements/2026-11-27.json"
    assert store.get_bytes(key) == _stored(raw)
    assert b"".join(StoredChunks(store, key)) == _stored(raw)


class _Broken(CityDayDocument):
    """Fails after `after` bytes, as a spool read error or a stop would mid-upload."""

    def __init__(self, raw: dict[str, Any], after: int) -> None:
        spool = SpooledRows()
        for group in raw["measurements"]:
            spool.add(group["sensor_id"], group["results"])
        sensors = [(g["sensor_id"], g["location_id"]) for g in raw["measurements"]]
        super().__init__(raw["request"], raw["stats"], dumps(raw["locations"]), sensors, spool)
        self.after = after

    def chunks(self) -> Iterator[bytes]:
        sent = 0
        for chunk in super().chunks():
            if sent > self.after:
                raise OSError("spool read failed")
            sent += len(chunk)
            yield chunk


def test_a_stream_that_fails_midway_leaves_the_previous_object(s3_env: dict[str, str]) -> None:
    store = ObjectStore.from_env()
    manager = ObjectStoreIOManager(store=store)
    key = "dagster/openaq/raw_measurements/2026-11-28.json"
    previous = _stored(city_day([]))
    store.put_bytes(key, previous, "application/json")
    context = build_output_context(asset_key=RAW, partition_key="2026-11-28")
    with pytest.raises(OSError, match="spool read failed"):
        manager.handle_output(context, _Broken(_big_day(1_600), after=9 * 2**20))  # past the first part
    assert store.get_bytes(key) == previous
    uploads = list(store.client()._list_multipart_uploads(store.bucket).uploads)  # aborted, not left behind
    assert [u.object_name for u in uploads if u.object_name == key] == []
