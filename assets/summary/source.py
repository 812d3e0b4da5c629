"""The object a summary reads: `air_quality/city={city}/date={YYYY-MM-DD}/measurements.parquet`, as the
measurements_parquet asset publishes it. Every way it can be unusable is a `BadSourceObject` whose message is one
line naming the object and what is wrong; the summary asset turns it into a permanent failure (nothing published).
"""

import io
import re

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from assets.measurement_schema import MEASUREMENT_SCHEMA

# The one expression for "which city-day does this key hold", named groups = the partition's dimensions: what a
# new-object sensor maps keys to partitions with.
SOURCE_KEY_PATTERN = (
    r"^air_quality/city=(?P<city>[a-z0-9][a-z0-9-]*)/date=(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})/measurements\.parquet$"
)
_SOURCE_KEY = re.compile(SOURCE_KEY_PATTERN)
# Columns the summary needs; nulls in any of them but `value` make the object unusable.
_REQUIRED = ("sensor_id", "parameter", "units", "value", "period_start", "period_end")


class BadSourceObject(ValueError):
    """The source object cannot be summarised, and reading it again will not change that."""


def source_key(city: str, day: str) -> str:
    """The measurements object of one city-day (the key measurements_parquet writes)."""
    return f"air_quality/city={city}/date={day}/measurements.parquet"


def city_day_of_key(key: str) -> tuple[str, str]:
    """`(city, YYYY-MM-DD)` of a measurements object key; BadSourceObject for any other key."""
    match = _SOURCE_KEY.match(key)
    if match is None:
        raise BadSourceObject(
            f"object key {key!r} is outside the pattern air_quality/city=<city>/date=<YYYY-MM-DD>/measurements.parquet"
        )
    return match["city"], match["date"]


def read_measurements(data: bytes, uri: str) -> pd.DataFrame:
    """The rows of a measurements parquet object, checked against the published schema (column names and Arrow
    types; extra columns are ignored). Rows with a null `value` are kept (the summary counts them as not
    measured); a null in another column the summary needs is a BadSourceObject."""
    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError) as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise BadSourceObject(f"{uri} is not a readable parquet object ({first_line})") from None
    problems = _schema_problems(table.schema)
    if problems:
        raise BadSourceObject(f"{uri} does not have the measurements schema: {'; '.join(problems)}")
    nulls = [name for name in _REQUIRED if name != "value" and table.column(name).null_count]
    if nulls:
        raise BadSourceObject(f"{uri} has nulls in column(s) {', '.join(nulls)}")
    return table.select(list(MEASUREMENT_SCHEMA.names)).to_pandas()


def _schema_problems(schema: pa.Schema) -> list[str]:
    """Columns of MEASUREMENT_SCHEMA missing from `schema` or of another Arrow type (strings of either offset
    width count as strings: pandas 3 writes large_string, the published objects string)."""
    problems = []
    for field in MEASUREMENT_SCHEMA:
        index = schema.get_field_index(field.name)
        if index < 0:
            problems.append(f"column {field.name} is missing")
        elif not _same_type(schema.field(index).type, field.type):
            problems.append(f"column {field.name} is {schema.field(index).type}, expected {field.type}")
    return problems


def _same_type(found: pa.DataType, expected: pa.DataType) -> bool:
    if pa.types.is_string(expected):
        return bool(pa.types.is_string(found) or pa.types.is_large_string(found))
    return bool(found.equals(expected))
