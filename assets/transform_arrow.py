"""The streamed measurements list parsed by pyarrow's JSON reader on every core, into the clean step's column batches.

msgspec decodes one group at a time and holds the GIL, so the clean step's parse ran on one core. Here the stream is
cut into candidate groups at the byte run that separates them (`},{"location_id":`), without parsing, and blocks of
groups are handed as NDJSON (one group a line) to `pyarrow.json.read_json`, which parses them on its own threads
outside the GIL while this thread turns the previous block into columns.

pyarrow only ever answers for a block when its answer is the one msgspec would give: the schema is explicit (no
inference, unknown fields ignored, a number where a string is documented is an error), every group must have a
`location_id`, `sensor_id` and a list of non-null rows. Anything else (a cut inside a row's nested object, which
leaves unbalanced JSON; a field of another type; a duplicated key) makes pyarrow fail, and the block and the rest
of the stream are then decoded group by group by msgspec as before, with the same errors and counts.
"""

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from assets.openaq.units import canonical_parameter, canonical_units

GROUP_MARK = b'},{"location_id":'
_BLOCK_BYTES = 8 << 20  # groups handed to pyarrow at once: two blocks in flight stay small beside the clean table
_READ_BLOCK_BYTES = 1 << 20  # pyarrow's own split of a block across its threads
_LOOKAHEAD = 1  # blocks parsing on pyarrow's threads while this thread packs the one before

_STAMP = pa.struct([("utc", pa.string())])
_ROW = pa.struct(
    [
        ("value", pa.float64()),
        ("parameter", pa.struct([("name", pa.string()), ("units", pa.string())])),
        ("period", pa.struct([("datetimeFrom", _STAMP), ("datetimeTo", _STAMP)])),
        ("flagInfo", pa.struct([("hasFlags", pa.bool_())])),
    ]
)
_SCHEMA = pa.schema([("location_id", pa.int64()), ("sensor_id", pa.int64()), ("results", pa.list_(_ROW))])
_PARSE = pajson.ParseOptions(explicit_schema=_SCHEMA, unexpected_field_behavior="ignore")
_READ = pajson.ReadOptions(use_threads=True, block_size=_READ_BLOCK_BYTES)


@dataclass
class Block:
    """Consecutive candidate groups as they lie in the document; `end` is what followed the last one there."""

    first_index: int
    pieces: list[bytes]
    end: bytes  # b"," before the next group, b"]}" after the last, or the unexpected tail of the document

    def original(self) -> bytes:
        """The document's bytes from this block's first group on, up to what the stream still holds."""
        return b",".join(self.pieces) + self.end if self.pieces else self.end


@dataclass
class Splitter:
    """Candidate groups of the measurements list, cut at `GROUP_MARK` without parsing; `buffer` starts right after
    `"measurements":[` and always holds what the stream gave and no block took yet."""

    buffer: bytearray
    stream: Iterator[bytes]
    index: int = 0
    done: bool = False

    def next_block(self) -> Block | None:
        if self.done:
            return None
        block = Block(self.index, [], b",")
        size = 0
        search = 0
        exhausted = False
        while size < _BLOCK_BYTES:
            mark = self.buffer.find(GROUP_MARK, search)
            if mark < 0 and not exhausted:
                chunk = next(self.stream, None)
                if chunk is None:
                    exhausted = True
                else:
                    search = max(len(self.buffer) - len(GROUP_MARK), 0)
                    self.buffer += chunk
                continue
            if mark < 0:
                self.done = True
                tail = bytes(self.buffer).rstrip()
                self.buffer = bytearray()
                if tail.endswith(b"]}") and (block.pieces or self.index > 0 or tail != b"]}"):
                    block.pieces.append(tail[:-2])
                    block.end = b"]}"
                elif tail == b"]}":  # an empty measurements list
                    block.end = b"]}" if block.pieces else b""
                else:
                    block.end = (b"," + tail) if block.pieces else tail
                    block.first_index = -1 - block.first_index  # marks a tail that is not `]}`: msgspec reports it
                self.index += len(block.pieces)
                return block
            block.pieces.append(bytes(self.buffer[: mark + 1]))
            size += mark + 1
            del self.buffer[: mark + 2]
            search = 0
        self.index += len(block.pieces)
        return block


def _parse(block: Block) -> pa.Table | None:
    """The block's groups as one table row each, or None when pyarrow's answer could differ from msgspec's."""
    if block.first_index < 0 or not block.pieces:
        return None
    try:
        table = pajson.read_json(pa.py_buffer(b"\n".join(block.pieces)), read_options=_READ, parse_options=_PARSE)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != len(block.pieces) or any(table.column(name).null_count for name in _SCHEMA.names):
        return None
    results = table.column("results")
    if any(chunk.flatten().null_count for chunk in results.chunks):  # a null row: msgspec refuses it
        return None
    return table.combine_chunks()


Columns = dict[str, Any]
GatherFallback = Callable[[bytearray, Iterator[bytes], int], None]


def gather_blocks(
    splitter: Splitter,
    to_columns: Callable[[pa.Table, int], Columns],
    add: Callable[[Columns], None],
    fallback: GatherFallback,
) -> None:
    """Every group of the stream into `add`, in document order, parsed by pyarrow ahead of this thread; from the
    first block pyarrow cannot answer for, `fallback` decodes the rest of the document (bytes, stream, index)."""
    pending: deque[tuple[Block, Future[pa.Table | None]]] = deque()
    with ThreadPoolExecutor(max_workers=1) as pool:
        while True:
            while len(pending) <= _LOOKAHEAD and (block := splitter.next_block()) is not None:
                if block.pieces or block.first_index < 0:  # an empty measurements list has nothing to parse
                    pending.append((block, pool.submit(_parse, block)))
            if not pending:
                return
            block, future = pending.popleft()
            table = future.result()
            if table is None:
                for _, waiting in pending:
                    waiting.cancel()
                rest = block.original() + b"".join(later.original() for later, _ in pending)
                first = block.first_index if block.first_index >= 0 else -1 - block.first_index
                pending.clear()
                fallback(bytearray(rest + splitter.buffer), splitter.stream, first)
                return
            if table.num_rows:
                add(to_columns(table, block.first_index))


def _field(array: pa.Array, *path: str) -> pa.Array:
    """A nested field, null wherever any struct on the way is null (as msgspec's None)."""
    return pc.struct_field(array, list(path))


def _mapped(texts: pa.Array, canonical: Callable[[str], str]) -> np.ndarray:
    """Each text through `canonical` (null as ''), computed once per distinct text; object array of str."""
    encoded = pc.dictionary_encode(pc.fill_null(texts, ""))
    values = np.array([canonical(text) for text in encoded.dictionary.to_pylist()], dtype=object)
    return values[encoded.indices.to_numpy(zero_copy_only=False)]


def _texts(array: pa.Array) -> np.ndarray:
    """Stamp texts as an object array, '' for null (parsed to NaT, as msgspec's path does)."""
    return np.asarray(pc.fill_null(array, "").to_numpy(zero_copy_only=False), dtype=object)


def table_columns(table: pa.Table, locations: dict[int, Any], error: Callable[[int, int], Exception]) -> Columns:
    """The column batch `_gather_groups` builds from the same groups, from a parsed block."""
    location_ids = table.column("location_id").to_numpy()
    sensor_ids = table.column("sensor_id").to_numpy()
    for location_id, sensor_id in zip(location_ids.tolist(), sensor_ids.tolist(), strict=True):
        if location_id not in locations:
            raise error(sensor_id, location_id)
    results = table.column("results").chunk(0) if table.column("results").num_chunks else pa.array([], _ROW)
    counts = pc.list_value_length(results).to_numpy(zero_copy_only=False)
    rows = results.flatten()
    groups = [locations[location_id] for location_id in location_ids.tolist()]
    names = np.array([location.name or "" for location in groups], dtype=object)
    coordinates = [location.coordinates for location in groups]
    latitudes = [c.latitude if c is not None and c.latitude is not None else np.nan for c in coordinates]
    longitudes = [c.longitude if c is not None and c.longitude is not None else np.nan for c in coordinates]
    return {
        "location_id": np.repeat(location_ids, counts),
        "location_name": np.repeat(names, counts),
        "sensor_id": np.repeat(sensor_ids, counts),
        "latitude": np.repeat(np.array(latitudes, dtype=np.float64), counts),
        "longitude": np.repeat(np.array(longitudes, dtype=np.float64), counts),
        "parameter": _mapped(_field(rows, "parameter", "name"), canonical_parameter),
        "units": _mapped(_field(rows, "parameter", "units"), canonical_units),
        "value": _field(rows, "value").to_numpy(zero_copy_only=False),
        "has_flags": pc.fill_null(_field(rows, "flagInfo", "hasFlags"), False).to_numpy(zero_copy_only=False),
        "period_start_text": _texts(_field(rows, "period", "datetimeFrom", "utc")),
        "period_end_text": _texts(_field(rows, "period", "datetimeTo", "utc")),
    }
