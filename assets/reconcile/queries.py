"""The reconcile stage's SQL, kept in readable ``.sql`` files beside this module (``sql/<name>.sql``).

Table names in them are code constants (the ``work`` schema of docs/architecture.md); values are always bound
parameters, never pasted into the text. What differs per source is written from the source declarations: a
``/*@name*/`` marker in a statement is replaced by :data:`assets.reconcile.declared_sql.FRAGMENTS` ``[name]``.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import duckdb

from assets.reconcile.declared_sql import FRAGMENTS

SQL_DIR = Path(__file__).parent / "sql"
MARKER = re.compile(r"/\*@([a-z_]+)\*/")


@cache
def sql_text(name: str) -> str:
    """The statement(s) of ``sql/<name>.sql``, their per-source markers written from the declarations."""
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return MARKER.sub(lambda m: FRAGMENTS[m.group(1)](), text)


def run_sql(con: duckdb.DuckDBPyConnection, name: str, parameters: dict | None = None) -> None:
    """Run every statement of ``sql/<name>.sql`` in order (named parameters ``$x`` bound from ``parameters``)."""
    if parameters:
        con.execute(sql_text(name), parameters)
    else:
        con.execute(sql_text(name))
