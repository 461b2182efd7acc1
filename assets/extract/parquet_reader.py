"""Decoding a delivered Parquet file into an Arrow table, its declared columns cast to their declared types.

Parquet carries its own types, but an agency's export tool may widen an integer to int64, write a date as a
timestamp or an id as a number. Declared columns are cast (losslessly: a cast that would change a value fails)
to the type the adapter declares, so every drop of a source lands in one raw table with one schema; a column
that cannot be cast rejects the drop, naming the column and the first row at fault. Extra columns keep their
own types.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from assets.extract.columns import normalise_header, require_columns
from assets.extract.outcome import FileRejected
from assets.extract.sources import Column, EntitySpec

ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
}
"""Arrow type of each DuckDB type the adapters declare."""


def read_parquet_file(path: Path, name: str, spec: EntitySpec) -> pa.Table:
    """The file's rows under lower-cased column names, declared columns in their declared types."""
    try:
        table = pq.ParquetFile(path).read()
    except (pa.ArrowException, OSError, ValueError):
        raise FileRejected(f"{name}: cannot be read as Parquet") from None
    keys = normalise_header(name, table.column_names)
    require_columns(name, spec, keys)
    table = table.rename_columns(keys)
    for column in spec.columns:
        if column.key in keys:
            index = keys.index(column.key)
            table = table.set_column(index, column.key, _cast(name, column, table.column(index)))
    return table


def _cast(name: str, column: Column, values: pa.ChunkedArray) -> pa.ChunkedArray:
    target = ARROW_TYPES[column.snapshot_type]
    if values.type == target:
        return values
    if target == pa.string() and pa.types.is_floating(values.type) and _whole_numbers(values):
        # An NIK, KK or id written as float64 (pandas does so when the column has gaps): its digits, not
        # ``3.201010101800001e+15``.
        values = pc.cast(values, pa.int64())
    try:
        return pc.cast(values, target, safe=True)
    except pa.ArrowNotImplementedError:
        raise FileRejected(
            f"{name}: column {column.key} of type {values.type} cannot be cast to {column.snapshot_type}"
        ) from None
    except pa.ArrowInvalid:
        row = _first_uncastable_row(values, target)
        raise FileRejected(
            f"{name}: row {row}: column {column.key} of type {values.type} cannot be cast to "
            f"{column.snapshot_type}"
        ) from None


def _first_uncastable_row(values: pa.ChunkedArray, target: pa.DataType) -> int:
    """1-based row of the first value that will not cast, by bisection (log2(n) casts, only on failure)."""
    array = values.combine_chunks()
    low, high = 0, len(array)  # invariant: array[:low] casts, array[:high] does not
    while high - low > 1:
        middle = (low + high) // 2
        try:
            pc.cast(array.slice(0, middle), target, safe=True)
            low = middle
        except pa.ArrowInvalid:
            high = middle
    return high


def _whole_numbers(values: pa.ChunkedArray) -> bool:
    """Every present value is a finite whole number that int64 holds exactly."""
    present = pc.drop_null(values)
    if len(present) == 0:
        return True
    finite = pc.all(pc.is_finite(present)).as_py()
    return bool(
        finite
        and pc.all(pc.equal(pc.floor(present), present)).as_py()
        and pc.max(pc.abs(present)).as_py() < 2.0**63
    )
