"""Small helpers for writing DuckDB SQL from names in code (every stage uses them).

Table and column names come from code (the declarations in ``sejahtera/sources/``, the registry's tables),
never from data, and are still checked against a strict pattern; constants from code (a date format, a code list) become quoted
literals. Values from data are never spliced: they are bound parameters.
"""

from __future__ import annotations

import re

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


def identifier(name: str) -> str:
    """``name`` if it is a plain lower-case identifier, else an error (it would otherwise be spliced)."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return name


def qualified(name: str) -> str:
    """``name`` if it is ``schema.table`` with both parts plain identifiers, else an error."""
    schema, dot, table = name.partition(".")
    if not dot:
        raise ValueError(f"not a schema-qualified table name: {name!r}")
    return f"{identifier(schema)}.{identifier(table)}"


def literal(value: str | int | float) -> str:
    """A code constant as a SQL literal: numbers as they are, text single-quoted with quotes doubled."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def literal_list(values: tuple[str | int | float, ...]) -> str:
    return ", ".join(literal(v) for v in values)
