"""IO manager on the object store: how asset values travel between processes and pods.

Dicts and lists are stored as JSON, DataFrames as parquet, under `{prefix}/{asset/key/path}/{partition}.{ext}`.
An input annotated `bytes` gets the stored JSON bytes unparsed, so a consumer can decode only what it needs.
"""

import json
from typing import Any

import pandas as pd
from dagster import (
    ConfigurableIOManager,
    DagsterInvariantViolationError,
    InputContext,
    OutputContext,
    ResourceDependency,
)

from assets.parquet import dataframe_to_parquet_bytes, parquet_bytes_to_dataframe
from assets.resources.object_store import ObjectNotFound, ObjectStore

_UNPARTITIONED = "__all__"
_FORMATS = {"parquet": "application/vnd.apache.parquet", "json": "application/json"}


class ObjectStoreIOManager(ConfigurableIOManager):
    """Stores each asset's value in the object store, keyed by asset key path and partition."""

    store: ResourceDependency[ObjectStore]
    prefix: str = "dagster"

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        if obj is None:
            return
        if isinstance(obj, pd.DataFrame):
            extension, data = "parquet", dataframe_to_parquet_bytes(obj)
        elif isinstance(obj, dict | list):
            extension, data = "json", json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
        else:
            raise TypeError(
                f"asset {context.asset_key.to_user_string()} returned {type(obj).__name__}; "
                "this IO manager stores dicts/lists (JSON) and pandas DataFrames (parquet)"
            )
        uri = self.store.put_bytes(self._key(context, extension), data, _FORMATS[extension])
        context.add_output_metadata({"uri": uri, "bytes": len(data)})

    def load_input(self, context: InputContext) -> Any:
        keys = {extension: self._key(context, extension) for extension in _FORMATS}
        if self.store.exists(keys["parquet"]):
            return parquet_bytes_to_dataframe(self.store.get_bytes(keys["parquet"]))
        if self.store.exists(keys["json"]):
            data = self.store.get_bytes(keys["json"])
            return data if _wants_bytes(context) else json.loads(data)
        raise ObjectNotFound(
            f"asset {context.asset_key.to_user_string()} has no stored value in bucket {self.store.bucket!r} "
            f"(looked for {keys['parquet']!r} and {keys['json']!r}); materialize it for this partition first"
        )

    def _key(self, context: InputContext | OutputContext, extension: str) -> str:
        partition = context.asset_partition_key if context.has_asset_partitions else _UNPARTITIONED
        path = "/".join(context.asset_key.path)
        return f"{self.prefix}/{path}/{partition}.{extension}"


def _wants_bytes(context: InputContext) -> bool:
    """The input is annotated `bytes` (a context built without a Dagster type, as in unit tests, wants JSON)."""
    try:
        return context.dagster_type.typing_type is bytes
    except DagsterInvariantViolationError:
        return False
