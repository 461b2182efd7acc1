"""The Arrow layout of a declared entity: what a typed (Parquet) file of it holds, column by column.

One mapping serves both sides of a delivery: extract casts what it reads to these types, and the generator writes
its synthetic Parquet files with them, so neither can drift from the declaration.
"""

from __future__ import annotations

import pyarrow as pa

from sejahtera.sources.spec import EntitySpec

ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
}
"""Arrow type of each DuckDB type the declarations use (:attr:`Column.snapshot_type`)."""


def arrow_schema(entity: EntitySpec) -> pa.Schema:
    """The entity's columns in declared order, under their warehouse names, each in its declared type."""
    return pa.schema([(c.key, ARROW_TYPES[c.snapshot_type]) for c in entity.columns])
