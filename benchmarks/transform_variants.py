"""The ways to turn raw JSON bytes into parquet bytes that the transform benchmark compares.

Each takes the bytes as they sit in the object store, so JSON parsing is part of everyone's cost: the pipeline, the
naive baseline and the single-block floor read the document the IO manager stores; the multi-threaded floor reads
the same rows as NDJSON.
"""

import io
import json
from collections.abc import Callable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from assets.measurements_parquet import measurements_to_parquet
from assets.parquet import table_to_parquet_bytes
from assets.resources.object_store import STREAM_READ_BYTES
from assets.transform import clean_city_day_chunks

_UTC_MICROS = pa.timestamp("us", tz="UTC")  # pyarrow's reader already parsed the `...Z` texts as timestamps
Variant = Callable[[bytes], tuple[int, bytes]]


def pipeline(data: bytes) -> tuple[int, bytes]:
    """What a clean pod does: the stored document cleaned as it streams in (`clean_city_day_chunks`, in chunks of the
    object store's read size, as `StoredChunks` hands them over), then parquet."""
    view = memoryview(data)
    chunks = (bytes(view[at : at + STREAM_READ_BYTES]) for at in range(0, len(data), STREAM_READ_BYTES))
    frame = clean_city_day_chunks(chunks).frame
    return len(frame), measurements_to_parquet(frame)


def naive(data: bytes) -> tuple[int, bytes]:
    """The original tutorial's way: json → `json_normalize` → `dropna` → `to_parquet`, no explicit schema."""
    raw = json.loads(data)
    frame = pd.json_normalize(raw["measurements"], record_path="results", meta=["location_id", "sensor_id"])
    locations = pd.json_normalize(raw["locations"])[["id", "name", "coordinates.latitude", "coordinates.longitude"]]
    frame = frame.merge(locations, left_on="location_id", right_on="id", how="left")
    frame = frame.dropna(subset=["value"])
    frame["period_start"] = pd.to_datetime(frame["period.datetimeFrom.utc"], utc=True)
    frame["period_end"] = pd.to_datetime(frame["period.datetimeTo.utc"], utc=True)
    frame = frame[
        [
            "location_id",
            "name",
            "sensor_id",
            "parameter.name",
            "parameter.units",
            "value",
            "period_start",
            "period_end",
            "coordinates.latitude",
            "coordinates.longitude",
            "flagInfo.hasFlags",
        ]
    ]
    sink = io.BytesIO()
    frame.to_parquet(sink, index=False)
    return len(frame), sink.getvalue()


def pyarrow_document_floor(data: bytes) -> tuple[int, bytes]:
    """Only pyarrow on the stored document: parse it, flatten to sensor-hours, drop nulls, write with the same writer.

    The document is one JSON value on one line, so pyarrow reads it as one block on one thread.
    """
    options = pajson.ReadOptions(block_size=len(data) + 1)
    document = pajson.read_json(io.BytesIO(data), read_options=options)
    groups = pc.list_flatten(document.column("measurements").combine_chunks())
    results = groups.field("results")
    rows = pc.list_flatten(results)
    parent = pc.list_parent_indices(results)
    return _floor_table(pc.take(groups.field("location_id"), parent), pc.take(groups.field("sensor_id"), parent), rows)


def pyarrow_ndjson_floor(data: bytes) -> tuple[int, bytes]:
    """The multi-threaded floor: the same sensor-hours as newline-delimited JSON (one row per line, with its location
    and sensor id), which `pyarrow.json.read_json` splits into blocks parsed on every core."""
    table = pajson.read_json(io.BytesIO(data), read_options=pajson.ReadOptions(use_threads=True))
    rows = pa.StructArray.from_arrays(
        [table.column(name).combine_chunks() for name in ("value", "parameter", "period", "flagInfo")],
        names=["value", "parameter", "period", "flagInfo"],
    )
    return _floor_table(table.column("location_id"), table.column("sensor_id"), rows)


def _floor_table(location_id: pa.Array, sensor_id: pa.Array, rows: pa.StructArray) -> tuple[int, bytes]:
    """No sorting, deduplication or schema work: the columns the pipeline publishes, nulls dropped, parquet."""
    period = rows.field("period")
    table = pa.table(
        {
            "location_id": location_id,
            "sensor_id": sensor_id,
            "parameter": rows.field("parameter").field("name"),
            "units": rows.field("parameter").field("units"),
            "value": rows.field("value"),
            "period_start": period.field("datetimeFrom").field("utc").cast(_UTC_MICROS),
            "period_end": period.field("datetimeTo").field("utc").cast(_UTC_MICROS),
            "has_flags": rows.field("flagInfo").field("hasFlags"),
        }
    )
    table = table.filter(pc.is_valid(table.column("value")))
    return table.num_rows, table_to_parquet_bytes(table)


VARIANTS: dict[str, Variant] = {
    "pipeline": pipeline,
    "naive": naive,
    "pyarrow_document_floor": pyarrow_document_floor,
    "pyarrow_ndjson_floor": pyarrow_ndjson_floor,
}
# The input each variant reads: the stored document, except the NDJSON floor (same rows, one per line).
INPUT_FORM = {name: "ndjson" if name == "pyarrow_ndjson_floor" else "document" for name in VARIANTS}
