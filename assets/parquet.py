"""Deterministic parquet encoding: the same table gives the same bytes, so reruns are byte-identical."""

import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def table_to_parquet_bytes(table: pa.Table) -> bytes:
    """Encode with zstd and fixed writer options; pyarrow writes no timestamps or host data into the file."""
    sink = io.BytesIO()
    pq.write_table(
        table,
        sink,
        compression="zstd",
        compression_level=3,
        use_dictionary=True,
        write_statistics=True,
        version="2.6",
    )
    return sink.getvalue()


def dataframe_to_parquet_bytes(frame: pd.DataFrame, schema: pa.Schema | None = None) -> bytes:
    """A DataFrame as parquet, keeping pandas dtypes (tz-aware timestamps, nullable floats) for the round trip."""
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    return table_to_parquet_bytes(table)


def parquet_bytes_to_dataframe(data: bytes) -> pd.DataFrame:
    return pq.read_table(io.BytesIO(data)).to_pandas()
