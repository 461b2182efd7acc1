"""The work tables the validate stage writes: bookkeeping (fixed, ``sql/create_work_tables.sql``) and the
typed ``accepted_*`` tables (from the adapter declarations)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from assets.validate.derived import snapshot_columns_ddl
from sejahtera.sources import SOURCES
from sejahtera.sql_text import identifier
from sejahtera.warehouse import WORK_SCHEMA

SQL_DIR = Path(__file__).resolve().parent / "sql"


def sql(name: str) -> str:
    """The text of ``assets/validate/sql/<name>.sql``."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def run_script(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None) -> None:
    """Run every statement of a ``.sql`` file (statements end with ``;`` at the end of a line), each with the
    named parameters (``$name``) it uses."""
    for statement in (s.strip() for s in sql(name).split(";\n")):
        body = "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--"))
        if body.strip():
            used = {k: v for k, v in (params or {}).items() if f"${k}" in body}
            con.execute(statement, used) if used else con.execute(statement)


def accepted_table(source: str, entity: str) -> str:
    return f"{WORK_SCHEMA}.accepted_{identifier(SOURCES[source].table(entity))}"


def snapshot_table(source: str, entity: str, schema: str = WORK_SCHEMA) -> str:
    """``work.snapshot_<source>_<entity>`` during a run; ``snapshot.<source>_<entity>`` once published."""
    table = identifier(SOURCES[source].table(entity))
    return f"{WORK_SCHEMA}.snapshot_{table}" if schema == WORK_SCHEMA else f"{identifier(schema)}.{table}"


def create_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create every table validated_drops writes, empty: a retried step starts from scratch."""
    run_script(con, "create_work_tables")
    for source in SOURCES.values():
        for entity in source.all_entities:
            con.execute(
                f"CREATE OR REPLACE TABLE {accepted_table(source.name, entity.entity)} "
                f"({snapshot_columns_ddl(entity)})"
            )


def table_columns(con: duckdb.DuckDBPyConnection, qualified: str) -> set[str]:
    """Lower-case column names of an existing table (empty when it does not exist)."""
    schema, table = qualified.split(".")
    rows = con.execute(
        "SELECT lower(column_name) FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? AND table_catalog = current_database()",
        [schema, table],
    ).fetchall()
    return {r[0] for r in rows}
