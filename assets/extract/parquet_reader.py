"""Decoding a delivered Parquet file into an Arrow table, its declared columns cast to their declared types.

Parquet carries its own types, but an agency's export tool may widen an integer to int64, write a date as a
timestamp or an id as a number. Declared columns are cast (losslessly: a cast that would change a value fails)
to the type the adapter declares, so every drop of a source lands in one raw table with one schema. Extra columns
keep their own types.

A value that will not cast is one of two things. In a date or a code column (``1980-02-30`` or ``L`` in a column
of strings) it is a broken row rule (invalid date, code not in its set), not a broken file: it reads as missing
and the delivered text is kept beside it in ``<column>__undecoded``, so the gate quarantines that row and the
rest of the drop loads. Anywhere else (a count that is not a number, a date column of booleans) the file cannot
be decoded in its format: the drop is rejected, naming the column and the first row at fault.
"""

from __future__ import annotations

import os
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from assets.extract.columns import UNDECODED_SUFFIX, normalise_header, require_columns
from assets.extract.outcome import FileRejected
from assets.extract.read_limits import ReadLimits, read_limits
from assets.extract.safe_files import DataSource, at_start
from sejahtera.sources import Column, EntitySpec
from sejahtera.sources.arrow import ARROW_TYPES

RULED_KINDS = frozenset({"date", "birth_date", "code", "flag"})
"""Column kinds whose row rules cover a value that is not of the declared type (invalid date, code not in set)."""


PARQUET_MAGIC = b"PAR1"


def read_parquet_file(
    source: DataSource,
    name: str,
    spec: EntitySpec,
    expected_rows: int | None = None,
    limits: ReadLimits | None = None,
) -> pa.Table:
    """The file's rows under lower-cased column names, declared columns in their declared types.

    The footer is checked before any data is read: its size, then the row count (against the manifest's
    ``expected_rows``), the columns and the uncompressed size it announces, each against ``limits``.
    """
    limits = limits or read_limits()
    try:
        with at_start(source) as handle:
            parquet = _checked_file(handle, name, expected_rows, limits)
            table = parquet.read()
    except (pa.ArrowException, OSError, ValueError, EOFError):
        raise FileRejected(f"{name}: cannot be read as Parquet") from None
    keys = normalise_header(name, table.column_names)
    require_columns(name, spec, keys)
    table = table.rename_columns(keys)
    for column in spec.columns:
        if column.key in keys:
            index = keys.index(column.key)
            typed, undecoded = _cast(name, column, table.column(index))
            table = table.set_column(index, column.key, typed)
            if undecoded is not None:
                table = table.append_column(column.key + UNDECODED_SUFFIX, undecoded)
    return table


def _checked_file(
    handle: BinaryIO, name: str, expected_rows: int | None, limits: ReadLimits
) -> pq.ParquetFile:
    """The file's footer, read only once its length is known to be within the limit, and checked against it."""
    size = handle.seek(0, os.SEEK_END)
    if size < 12:
        raise FileRejected(f"{name}: cannot be read as Parquet (shorter than a Parquet file can be)")
    handle.seek(size - 8)
    tail = handle.read(8)
    footer_bytes = int.from_bytes(tail[:4], "little")
    if tail[4:] != PARQUET_MAGIC:
        raise FileRejected(f"{name}: cannot be read as Parquet (no Parquet footer: truncated or not Parquet)")
    if footer_bytes > limits.max_parquet_footer_bytes or footer_bytes > size - 12:
        raise FileRejected(
            f"{name}: Parquet footer of {footer_bytes:,} bytes is beyond the file or "
            f"{limits.describe('max_parquet_footer_bytes')}"
        )
    handle.seek(0)
    parquet = pq.ParquetFile(
        handle,
        thrift_string_size_limit=limits.max_parquet_footer_bytes,
        thrift_container_size_limit=limits.max_parquet_footer_bytes,
    )
    meta = parquet.metadata
    if expected_rows is not None and meta.num_rows != expected_rows:
        raise FileRejected(f"{name}: row count differs: {meta.num_rows} rows, manifest says {expected_rows}")
    if meta.num_columns > limits.max_columns:
        raise FileRejected(
            f"{name}: {meta.num_columns:,} columns, more than {limits.describe('max_columns')}"
        )
    uncompressed = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if uncompressed > limits.max_file_bytes:
        raise FileRejected(
            f"{name}: {uncompressed:,} bytes once decompressed, more than {limits.describe('max_file_bytes')}"
        )
    return parquet


def _cast(name: str, column: Column, values: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.Array | None]:
    """The column in its declared type, and (only when some value did not cast) the delivered text of those
    values, NULL elsewhere."""
    target = ARROW_TYPES[column.snapshot_type]
    if values.type == target:
        return values, None
    if target == pa.string() and pa.types.is_floating(values.type) and _whole_numbers(values):
        # An NIK, KK or id written as float64 (pandas does so when the column has gaps): its digits, not
        # ``3.201010101800001e+15``.
        values = pc.cast(values, pa.int64())
    try:
        return pc.cast(values, target, safe=True), None
    except pa.ArrowNotImplementedError:
        raise FileRejected(
            f"{name}: column {column.key} of type {values.type} cannot be cast to {column.snapshot_type}"
        ) from None
    except pa.ArrowInvalid:
        array = values.combine_chunks()
        failing = _failing_positions(array, target)
        if column.kind not in RULED_KINDS:
            raise FileRejected(
                f"{name}: row {failing[0] + 1}: column {column.key} of type {values.type} cannot be cast to "
                f"{column.snapshot_type}"
            ) from None
    mask = pa.array(np.isin(np.arange(len(array)), failing))
    typed = pc.cast(pc.if_else(mask, pa.nulls(len(array), array.type), array), target, safe=True)
    return pa.chunked_array([typed]), pc.if_else(mask, _as_text(array), pa.nulls(len(array), pa.string()))


def _failing_positions(array: pa.Array, target: pa.DataType) -> list[int]:
    """0-based positions of the values that will not cast, by bisection: a few bad values cost a few casts."""
    try:
        pc.cast(array, target, safe=True)
        return []
    except pa.ArrowInvalid:
        if len(array) == 1:
            return [0]
    middle = len(array) // 2
    right = _failing_positions(array.slice(middle), target)
    return _failing_positions(array.slice(0, middle), target) + [middle + p for p in right]


def _as_text(array: pa.Array) -> pa.Array:
    """The delivered values as text (for a detail an operator can act on)."""
    try:
        return pc.cast(array, pa.string())
    except pa.ArrowException:
        return pa.array([None if v is None else str(v) for v in array.to_pylist()], pa.string())


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
