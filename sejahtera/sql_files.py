"""The one loader of the stages' SQL: readable ``.sql`` files in a stage's ``sql/`` folder.

A stage keeps its statements in ``.sql`` files so they read as SQL, not as Python strings. A file is used in one
of two ways, and both are here so that every stage loads and binds SQL the same way:

* a script (:meth:`SqlFolder.run_file`): every statement of ``<name>.sql`` in order (a statement ends with
  ``;`` at the end of a line that is not a comment);
* named statements (:meth:`SqlFolder.run`): a file holds statements headed by ``-- name: <statement>``, and a
  caller runs one of them by name.

Table and column names are written in the files, never taken from data; values are always bound parameters
(``$name``), never spliced into the text. Each statement is bound exactly the parameters it uses, because DuckDB
refuses extra ones.

What differs per source is written from the source declarations, not by hand: a stage that needs it gives its
folder ``fragments`` (marker name -> a function writing SQL from code constants), and every ``/*@name*/`` in its
files is replaced by that function's text (reconcile's :mod:`assets.reconcile.declared_sql`). A marker without a
fragment is a programming error, raised when the file is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

import duckdb

_HEADER = re.compile(r"^-- name: ([a-z][a-z0-9_]*)[ \t]*$", re.MULTILINE)
_PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")
_MARKER = re.compile(r"/\*@([a-z_]+)\*/")


def _without_comments(statement: str) -> str:
    return "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--"))


def script_statements(text: str) -> list[str]:
    """The statements of a script, in order: each ends at a ``;`` closing a line that is not a ``--`` comment
    (comments may end with ``;`` too); blank and comment-only pieces are dropped."""
    statements: list[str] = []
    lines: list[str] = []
    for line in text.splitlines():
        lines.append(line)
        if not line.lstrip().startswith("--") and line.rstrip().endswith(";"):
            statements.append("\n".join(lines).strip())
            lines = []
    statements.append("\n".join(lines).strip())
    return [s for s in statements if _without_comments(s).strip()]


def parameters_in(statement: str) -> set[str]:
    """The named parameters (``$x``) a statement uses; comment lines do not count."""
    return set(_PARAMETER.findall(_without_comments(statement)))


def execute(
    con: duckdb.DuckDBPyConnection, statement: str, params: Mapping[str, object] | None = None
) -> duckdb.DuckDBPyConnection:
    """Execute one statement, binding exactly the parameters it uses; a missing one is a programming error."""
    wanted = parameters_in(statement)
    missing = wanted - (params or {}).keys()
    if missing:
        raise KeyError(f"SQL statement needs parameters {sorted(missing)}")
    bound = {k: v for k, v in (params or {}).items() if k in wanted}
    return con.execute(statement, bound) if bound else con.execute(statement)


class SqlFolder:
    """The ``.sql`` files of one folder (a stage's ``sql/``)."""

    def __init__(self, folder: Path, fragments: Mapping[str, Callable[[], str]] | None = None) -> None:
        self.folder = folder
        self.fragments = dict(fragments or {})

    def text(self, name: str) -> str:
        """The whole text of ``<name>.sql``, its ``/*@name*/`` markers written from the fragments."""
        return self._filled(_read(self.folder / f"{name}.sql"))

    def _filled(self, text: str) -> str:
        def fragment(marker: re.Match[str]) -> str:
            if marker.group(1) not in self.fragments:
                raise KeyError(f"SQL marker /*@{marker.group(1)}*/ has no fragment in {self.folder}")
            return self.fragments[marker.group(1)]()

        return _MARKER.sub(fragment, text)

    def run_file(
        self, con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, object] | None = None
    ) -> None:
        """Run every statement of ``<name>.sql`` in order, each bound the parameters it uses."""
        for statement in script_statements(self.text(name)):
            execute(con, statement, params)

    def statements(self) -> dict[str, str]:
        """Every named statement of every file in the folder; a name used twice is a programming error."""
        return {name: self._filled(sql) for name, sql in _named_statements(self.folder).items()}

    def run(
        self, con: duckdb.DuckDBPyConnection, statement: str, /, **params: object
    ) -> duckdb.DuckDBPyConnection:
        """Execute the named ``statement`` with its parameters (extra ones are left out)."""
        sql = self.statements()[statement]
        try:
            return execute(con, sql, params)
        except KeyError as missing:
            raise KeyError(f"SQL statement {statement!r}: {missing.args[0]}") from None


@cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@cache
def _named_statements(folder: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(folder.glob("*.sql")):
        parts = _HEADER.split(_read(path))
        for name, body in zip(parts[1::2], parts[2::2], strict=True):
            if name in found:
                raise ValueError(f"SQL statement {name!r} is defined twice (second time in {path.name})")
            found[name] = body.strip().rstrip(";")
    return found


def stage_sql(module_file: str, fragments: Mapping[str, Callable[[], str]] | None = None) -> SqlFolder:
    """The ``sql/`` folder beside a stage module (``SQL = stage_sql(__file__)``)."""
    return SqlFolder(Path(module_file).resolve().parent / "sql", fragments)
