"""Column batches of the clean step packed into numpy arrays as they are gathered, so that a million sensor-hours
never live as Python lists or objects; stamp texts are parsed batch by batch (a malformed or missing one is NaT)."""

from typing import Any

import numpy as np
import pandas as pd

from assets.measurement_schema import COLUMNS

UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
TEXT_COLUMNS = (*COLUMNS, "period_start_text", "period_end_text")


class Packer:
    """Column lists of a batch of rows packed into numpy arrays, so a million rows never live as Python lists."""

    def __init__(self) -> None:
        self.parts: dict[str, list[Any]] = {name: [] for name in TEXT_COLUMNS}

    def add(self, columns: dict[str, list[Any]]) -> None:
        if not len(columns["value"]):
            return
        for name in ("location_id", "sensor_id"):
            self.parts[name].append(np.array(columns[name], dtype=np.int64))
        for name in ("value", "latitude", "longitude"):
            self.parts[name].append(np.array(columns[name], dtype=np.float64))
        self.parts["has_flags"].append(np.array(columns["has_flags"], dtype=bool))
        for name in ("location_name", "parameter", "units"):
            self.parts[name].append(np.array(columns[name], dtype=object))  # shared strings: 8 bytes a row
        for name in ("period_start_text", "period_end_text"):  # one string per row: parsed now, 8 bytes a row
            self.parts[name].append(parse_stamps(columns[name]))

    def columns(self) -> dict[str, Any]:
        packed: dict[str, Any] = {}
        for name, parts in self.parts.items():
            if name in ("period_start_text", "period_end_text"):
                packed[name] = parts[0].append(parts[1:]) if parts else parse_stamps([])
            else:
                packed[name] = np.concatenate(parts) if parts else np.array([], dtype=_EMPTY_DTYPES.get(name, object))
        return packed


def parse_stamps(texts: Any) -> pd.DatetimeIndex:
    """UTC stamps as microseconds; a missing or malformed stamp becomes NaT (its row is dropped as no_period)."""
    if isinstance(texts, pd.DatetimeIndex):
        return texts
    return pd.to_datetime(texts, format=UTC_FORMAT, utc=True, errors="coerce").as_unit("us")


_EMPTY_DTYPES: dict[str, Any] = {
    "location_id": np.int64,
    "sensor_id": np.int64,
    "value": np.float64,
    "latitude": np.float64,
    "longitude": np.float64,
    "has_flags": bool,
}
