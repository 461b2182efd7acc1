"""The registry stage's SQL, kept in readable ``sql/*.sql`` files as named statements.

Each file holds statements headed by ``-- name: <statement>``; :func:`run` executes one by name with bound
parameters (``$name``). Table and column names are written in the files, never taken from data; values are always
bound, never spliced into the text.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).parent / "sql"
_HEADER = re.compile(r"^-- name: ([a-z][a-z0-9_]*)[ \t]*$", re.MULTILINE)
_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")


@cache
def statements() -> dict[str, str]:
    """Every named statement of every file in ``sql/``; a name used twice is a programming error."""
    found: dict[str, str] = {}
    for path in sorted(SQL_DIR.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        parts = _HEADER.split(text)
        for name, body in zip(parts[1::2], parts[2::2], strict=True):
            if name in found:
                raise ValueError(f"SQL statement {name!r} is defined twice (second time in {path.name})")
            found[name] = body.strip().rstrip(";")
    return found


def parameters_of(name: str) -> set[str]:
    return set(_PARAMETER.findall(statements()[name]))


def run(con: duckdb.DuckDBPyConnection, statement: str, /, **params: object) -> duckdb.DuckDBPyConnection:
    """Execute ``statement`` (a name), binding exactly the parameters it uses (DuckDB refuses extra ones)."""
    sql = statements()[statement]
    wanted = parameters_of(statement)
    missing = wanted - params.keys()
    if missing:
        raise KeyError(f"SQL statement {statement!r} needs parameters {sorted(missing)}")
    bound = {k: v for k, v in params.items() if k in wanted}
    return con.execute(sql, bound) if bound else con.execute(sql)
