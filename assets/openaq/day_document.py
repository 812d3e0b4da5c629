"""The city-day JSON document written as bytes, sensor by sensor, without ever holding the day as Python objects.

At a million sensor-hours the day as nested dicts takes several GB; its JSON text is about 0.8 GB. Each sensor's
rows are serialised as soon as they arrive and spooled to a temporary file; once every sensor is in, the document is
read out in order (`{"request":…,"stats":…,"locations":[…],"measurements":[…]}`, sensors by id) as a stream of known
length, which the object store uploads part by part. The bytes are exactly those of
`json.dumps(document, ensure_ascii=False, separators=(",", ":"))` on the same document as one dict: JSON
serialisation is compositional, so the rows serialised one sensor at a time give the same text.

The spool file lives in the temporary directory (TMPDIR): the pod needs about the document's size in ephemeral
storage there (~0.8 GB at a million rows), and it must not be a memory-backed volume, which would count against
the memory limit again.
"""

from __future__ import annotations

import errno
import io
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
COPY_BYTES = 1024 * 1024


def dumps(value: Any) -> bytes:
    """`value` as the IO manager stores JSON: compact separators, UTF-8, no ASCII escaping."""
    return _dumps(value).encode()


# A write refused for want of room: the disk (or the pod's ephemeral storage) is full, a quota or a file size limit.
_NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class SpoolFull(OSError):
    """The temporary directory ran out of room for the day's rows. "No space left on device" alone names neither
    the disk nor the setting: this names the directory, TMPDIR and what to change (retryable: another pod, on
    another node's disk, may have the room)."""

    def __init__(self, directory: str, written: int) -> None:
        super().__init__(
            errno.ENOSPC,
            f"the temporary directory {directory} (TMPDIR) is full: the raw step spools the city-day's rows there "
            f"and had written {written:,} bytes; free space there or point TMPDIR at a larger volume (in the "
            "cluster: raise the step's ephemeral-storage, or mount a disk-backed emptyDir at TMPDIR)",
        )

    def __str__(self) -> str:
        return str(self.strerror)


class SpooledRows:
    """Each sensor's rows as the JSON bytes of its `results` array, in a temporary file (arrival order)."""

    def __init__(self) -> None:
        self._directory = tempfile.gettempdir()
        self._end = 0
        with self._room():
            self._file: BinaryIO = tempfile.TemporaryFile(prefix="openaq-city-day-")  # noqa: SIM115 - see close()
        self._where: dict[int, tuple[int, int]] = {}  # sensor id -> (offset, length)

    @contextmanager
    def _room(self) -> Iterator[None]:
        try:
            yield
        except OSError as error:
            if error.errno not in _NO_ROOM or isinstance(error, SpoolFull):
                raise
            raise SpoolFull(self._directory, self._end) from None

    def add(self, sensor_id: int, rows: list[dict[str, Any]]) -> None:
        data = dumps(rows)
        with self._room():
            self._file.seek(self._end)
            self._file.write(data)
        self._where[sensor_id] = (self._end, len(data))
        self._end += len(data)

    def length(self, sensor_id: int) -> int:
        return self._where[sensor_id][1]

    def chunks(self, sensor_id: int) -> Iterator[bytes]:
        offset, remaining = self._where[sensor_id]
        with self._room():  # the buffered tail reaches the disk only now
            self._file.flush()
        self._file.seek(offset)
        while remaining:
            chunk = self._file.read(min(COPY_BYTES, remaining))
            if not chunk:
                raise OSError(f"spool file ended early reading sensor {sensor_id}")
            remaining -= len(chunk)
            yield chunk

    def close(self) -> None:
        self._file.close()


class CityDayDocument:
    """The document's head (request, stats, locations) as bytes plus the spooled rows of each sensor, in id order.

    `reader()` gives a file-like object over exactly `length` bytes; `close()` removes the spool file.
    """

    def __init__(
        self,
        request: dict[str, Any],
        stats: dict[str, int],
        locations: bytes,
        sensors: list[tuple[int, int]],
        rows: SpooledRows,
    ) -> None:
        """`locations`: the locations list as JSON bytes (serialised early, so their dicts can go);
        `sensors`: (sensor id, location id) in output order."""
        self.stats = stats
        self._head_bytes = (
            dumps({"request": request, "stats": stats})[:-1] + b',"locations":' + locations + b',"measurements":['
        )
        self._sensors = sensors
        self._rows = rows
        self.length = len(self._head_bytes) + len(b"]}") + max(len(sensors) - 1, 0)
        self.length += sum(len(self._group_start(s, loc)) + rows.length(s) + 1 for s, loc in sensors)

    @staticmethod
    def _group_start(sensor_id: int, location_id: int) -> bytes:
        return b'{"location_id":%d,"sensor_id":%d,"results":' % (location_id, sensor_id)

    def chunks(self) -> Iterator[bytes]:
        yield self._head_bytes
        for index, (sensor_id, location_id) in enumerate(self._sensors):
            yield (b"," if index else b"") + self._group_start(sensor_id, location_id)
            yield from self._rows.chunks(sensor_id)
            yield b"}"
        yield b"]}"

    def reader(self) -> BinaryIO:
        return io.BufferedReader(_ChunkReader(self.chunks()), buffer_size=COPY_BYTES)

    def to_bytes(self) -> bytes:
        """The whole document in memory: for small days and tests only."""
        return b"".join(self.chunks())

    def close(self) -> None:
        self._rows.close()


class _ChunkReader(io.RawIOBase):
    """A read-only binary file over an iterator of chunks (what the S3 client reads parts from)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = memoryview(next(self._chunks))
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size
