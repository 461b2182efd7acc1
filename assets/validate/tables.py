"""The work tables the validate stage writes: bookkeeping (fixed, ``sql/create_work_tables.sql``) and the
typed ``accepted_*`` tables (from the adapter declarations)."""

from __future__ import annotations

import duckdb

from assets.validate.derived import snapshot_columns_ddl
from sejahtera.sources import SOURCES
from sejahtera.sql_files import stage_sql
from sejahtera.sql_text import identifier
from sejahtera.warehouse import WORK_SCHEMA

SQL = stage_sql(__file__)


def accepted_table(source: str, entity: str) -> str:
    return f"{WORK_SCHEMA}.accepted_{identifier(SOURCES[source].table(entity))}"


def snapshot_table(source: str, entity: str, schema: str = WORK_SCHEMA) -> str:
    """``work.snapshot_<source>_<entity>`` during a run; ``snapshot.<source>_<entity>`` once published."""
    table = identifier(SOURCES[source].table(entity))
    return f"{WORK_SCHEMA}.snapshot_{table}" if schema == WORK_SCHEMA else f"{identifier(schema)}.{table}"


def create_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create every table validated_drops writes, empty: a retried step starts from scratch."""
    SQL.run_file(con, "create_work_tables")
    for source in SOURCES.values():
        for entity in source.all_entities:
            con.execute(
                f"CREATE OR REPLACE TABLE {accepted_table(source.name, entity.entity)} "
                f"({snapshot_columns_ddl(entity)})"
            )
