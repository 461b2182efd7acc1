"""The reconcile stage's SQL, kept in readable ``.sql`` files beside this module (``sql/<name>.sql``).

Table names in them are code constants (the ``work`` schema of docs/architecture.md); values are always bound
parameters, never pasted into the text.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).parent / "sql"


@cache
def sql_text(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def run_sql(con: duckdb.DuckDBPyConnection, name: str, parameters: dict | None = None) -> None:
    """Run every statement of ``sql/<name>.sql`` in order (named parameters ``$x`` bound from ``parameters``)."""
    if parameters:
        con.execute(sql_text(name), parameters)
    else:
        con.execute(sql_text(name))
