"""IO manager on the object store: how asset values travel between processes and pods.

Dicts and lists are stored as JSON, DataFrames as parquet, under `{prefix}/{asset/key/path}/{partition}.{ext}`
(a multi-dimensional key as `dimension=value` folders, e.g. `city=vienna/date=2026-11-27`, never Dagster's `|`).
Which object an input reads follows from its declared type, never from which objects happen to exist, so a stale
object of the other format cannot shadow the current one. An input annotated `bytes` gets the stored JSON bytes
unparsed, so a consumer can decode only what it needs; one annotated `StoredChunks` gets them as a stream of chunks,
so it never holds the object whole. An asset may return a `JsonStream` (a document too large to build as Python
objects): its bytes are uploaded part by part and published only once complete.
"""

import json
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO, Literal, Protocol, runtime_checkable

import pandas as pd
from dagster import (
    ConfigurableIOManager,
    DagsterInvariantViolationError,
    InputContext,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    OutputContext,
    ResourceDependency,
)

from assets.parquet import dataframe_to_parquet_bytes, parquet_bytes_to_dataframe
from assets.resources.object_store import ObjectNotFound, ObjectStore

_UNPARTITIONED = "__all__"


@runtime_checkable
class JsonStream(Protocol):
    """A JSON document as a stream of exactly `length` bytes (e.g. `assets.openaq.day_document.CityDayDocument`)."""

    length: int

    def reader(self) -> BinaryIO: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class StoredChunks:
    """A stored JSON value read as it arrives, in chunks: for consumers that must not hold it whole."""

    store: ObjectStore
    key: str

    def __iter__(self) -> Iterator[bytes]:
        return self.store.iter_chunks(self.key)


_FORMATS = {"parquet": "application/vnd.apache.parquet", "json": "application/json"}


class ObjectStoreIOManager(ConfigurableIOManager):
    """Stores each asset's value in the object store, keyed by asset key path and partition."""

    store: ResourceDependency[ObjectStore]
    prefix: str = "dagster"

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        if obj is None:
            return
        if isinstance(obj, JsonStream):
            try:
                uri = self.store.put_stream(self._key(context, "json"), obj.reader(), obj.length, _FORMATS["json"])
            finally:
                obj.close()
            context.add_output_metadata({"uri": uri, "bytes": obj.length})
            return
        if isinstance(obj, pd.DataFrame):
            extension, data = "parquet", dataframe_to_parquet_bytes(obj)
        elif isinstance(obj, dict | list):
            extension, data = "json", json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
        else:
            raise TypeError(
                f"asset {context.asset_key.to_user_string()} returned {type(obj).__name__}; "
                "this IO manager stores dicts/lists and JsonStream documents (JSON) and pandas DataFrames (parquet)"
            )
        uri = self.store.put_bytes(self._key(context, extension), data, _FORMATS[extension])
        context.add_output_metadata({"uri": uri, "bytes": len(data)})

    def load_input(self, context: InputContext) -> Any:
        read_as = _read_as(context)
        extension = "parquet" if read_as == "dataframe" else "json"
        key = self._key(context, extension)
        missing = ObjectNotFound(
            f"asset {context.asset_key.to_user_string()} has no stored {extension} value in bucket "
            f"{self.store.bucket!r} (key {key!r}); materialize it for this partition first"
        )
        if read_as == "chunks":
            if not self.store.exists(key):
                raise missing
            return StoredChunks(self.store, key)
        try:
            data = self.store.get_bytes(key)
        except ObjectNotFound:
            raise missing from None
        if read_as == "dataframe":
            return parquet_bytes_to_dataframe(data)
        return data if read_as == "bytes" else json.loads(data)

    def stored_at(self, context: OutputContext) -> datetime | None:
        """When this output's value was last stored, None when it never was: what a fused step asks to resume after
        the assets its workflow already stored (compiler/materialize/resume.py). Either format counts."""
        times = [self.store.last_modified(self._key(context, extension)) for extension in _FORMATS]
        return max((time for time in times if time is not None), default=None)

    def _key(self, context: InputContext | OutputContext, extension: str) -> str:
        partition = _partition_path(context) if context.has_asset_partitions else _UNPARTITIONED
        path = "/".join(context.asset_key.path)
        return f"{self.prefix}/{path}/{partition}.{extension}"


def _partition_path(context: InputContext | OutputContext) -> str:
    """The key as a path: a multi-dimensional key as `dim=value` folders in Dagster's dimension order."""
    key = context.asset_partition_key
    try:
        partitions_def = context.asset_partitions_def
    except DagsterInvariantViolationError:  # a context built without its definition (unit tests): the key as is
        return key
    if isinstance(partitions_def, MultiPartitionsDefinition):
        parsed = partitions_def.get_partition_key_from_str(key)
        if isinstance(parsed, MultiPartitionKey):
            return "/".join(f"{dimension}={value}" for dimension, value in parsed.keys_by_dimension.items())
    return key


def _read_as(context: InputContext) -> Literal["dataframe", "bytes", "chunks", "json"]:
    """The stored format an input asks for by its declared type; no declared type (as in some unit tests) means Any."""
    try:
        declared: Any = context.dagster_type.typing_type
    except DagsterInvariantViolationError:
        declared = Any
    if isinstance(declared, type) and issubclass(declared, pd.DataFrame):
        return "dataframe"
    if declared is bytes:
        return "bytes"
    if declared is StoredChunks:
        return "chunks"
    if declared is Any or declared in (dict, list) or typing.get_origin(declared) in (dict, list):
        return "json"
    raise TypeError(
        f"an input reading asset {context.asset_key.to_user_string()} is declared as {declared!r}; this IO manager "
        "loads pd.DataFrame (parquet), bytes (raw JSON), StoredChunks (raw JSON, streamed) and dict/list/Any (JSON): "
        "change the input's annotation"
    )
