"""The raw tables ``work.raw_<source>_<entity>``: every accepted file's rows as delivered, with lineage first.

All of them exist in every run that has work (empty when a source delivered nothing), with the lineage columns
and the declared columns (CSV: VARCHAR; Parquet: the declared type). Extra delivered columns are added as they
come: a file with a column the table lacks rebuilds the table with ``UNION ALL BY NAME``, so no delivered
column name is ever spliced into SQL text. Table and declared column names come from the adapters (code).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from sejahtera.sources import SOURCES, EntitySpec, SourceSpec
from sejahtera.sql_text import identifier
from sejahtera.warehouse import WORK_SCHEMA, table_columns

LINEAGE_DDL = (
    "source VARCHAR NOT NULL, drop_id VARCHAR NOT NULL, file VARCHAR NOT NULL, row_number BIGINT NOT NULL"
)
INCOMING = "incoming_file"
"""Name under which a file's Arrow table is visible to DuckDB while it is appended."""

RAW_TYPES = frozenset({"VARCHAR", "INTEGER", "BIGINT", "DOUBLE", "BOOLEAN", "DATE"})


class StackingError(Exception):
    """A file's extra column has a type that cannot share a column with an earlier file's."""


def raw_table(source: SourceSpec, entity: str) -> str:
    """``work.raw_dtks_anggota``: the qualified name of an entity's raw table, built here only."""
    return f"{WORK_SCHEMA}.raw_{identifier(source.table(entity))}"


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create every source's raw tables, empty, with lineage and declared columns."""
    for source in SOURCES.values():
        for entity in source.all_entities:
            con.execute(
                f"CREATE TABLE {raw_table(source, entity.entity)} ({LINEAGE_DDL}, {_declared_ddl(entity)})"
            )


def append_file(
    con: duckdb.DuckDBPyConnection,
    table: str,
    *,
    source: str,
    drop_id: str,
    file: str,
    rows: pa.Table,
) -> None:
    """Append one file's rows, numbered 1.. in file order, under its lineage."""
    numbered = rows.add_column(0, "row_number", pa.array(np.arange(1, rows.num_rows + 1, dtype=np.int64)))
    lineage = [source, drop_id, file]
    con.register(INCOMING, numbered)
    try:
        if set(numbered.column_names) <= table_columns(con, table):
            con.execute(
                f"INSERT INTO {table} BY NAME "
                f"SELECT ?::VARCHAR AS source, ?::VARCHAR AS drop_id, ?::VARCHAR AS file, * FROM {INCOMING}",
                lineage,
            )
        else:
            con.execute(
                f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {table} UNION ALL BY NAME "
                f"SELECT ?::VARCHAR AS source, ?::VARCHAR AS drop_id, ?::VARCHAR AS file, * FROM {INCOMING}",
                lineage,
            )
    except (duckdb.ConversionException, duckdb.BinderException, duckdb.InvalidInputException) as exc:
        raise StackingError(type(exc).__name__) from None  # DuckDB's text may quote a value
    finally:
        con.unregister(INCOMING)


def _declared_ddl(entity: EntitySpec) -> str:
    def raw_type(snapshot_type: str) -> str:
        if snapshot_type not in RAW_TYPES:
            raise ValueError(f"{entity.entity}: undeclarable type {snapshot_type!r}")
        return snapshot_type if entity.file_format == "parquet" else "VARCHAR"

    return ", ".join(f"{identifier(c.key)} {raw_type(c.snapshot_type)}" for c in entity.columns)


def all_raw_tables() -> list[str]:
    """Every raw table a run with work has, whatever was delivered."""
    return [raw_table(source, entity.entity) for source in SOURCES.values() for entity in source.all_entities]
