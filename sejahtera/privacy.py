"""Masking of personal data (UU PDP 27/2022) for logs, Dagster metadata, errors and test output.

Raw NIKs, KK numbers and names never leave the warehouse unmasked; everything a person reads goes through here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb


def mask_number(value: object) -> str:
    """Keep the 4-digit region prefix and the last 4 digits of an NIK or KK: ``3201********0001``.

    The prefix and serial are what an operator needs to find the record in the agency's own system; the
    birth date and sex encoded in the middle are what identifies the person, so they are hidden.
    Short or odd values are masked whole except their length, so nothing readable leaks from a malformed NIK.
    """
    if value is None:
        return "<none>"
    text = str(value)
    if text == "":
        return "<empty>"
    if len(text) >= 12:
        return text[:4] + "*" * (len(text) - 8) + text[-4:]
    return "*" * len(text)


def mask_name(value: object) -> str:
    """Keep the first letter of each name token: ``SITI AMINAH`` -> ``S*** A*****``."""
    if value is None:
        return "<none>"
    tokens = str(value).split()
    return " ".join(t[0] + "*" * (len(t) - 1) for t in tokens) if tokens else "<empty>"


MASK_NUMBER_SQL = "CASE WHEN {col} IS NULL THEN NULL WHEN length({col}) >= 12 THEN left({col}, 4) || repeat('*', length({col}) - 8) || right({col}, 4) ELSE repeat('*', length({col})) END"
"""The same rule as :func:`mask_number`, as a DuckDB expression template for masking inside queries."""


def masked_sql(column: str) -> str:
    """DuckDB expression masking ``column`` (an identifier from code, never from data) like :func:`mask_number`."""
    return MASK_NUMBER_SQL.format(col=column)


MASK_NAME_SQL = (
    "CASE WHEN {col} IS NULL THEN NULL "
    "WHEN regexp_full_match({col}, '\\s*') THEN '<empty>' "
    "ELSE array_to_string(list_transform(regexp_split_to_array(regexp_replace({col}, '^\\s+|\\s+$', '', 'g'), '\\s+'), "
    "lambda t: left(t, 1) || repeat('*', length(t) - 1)), ' ') END"
)
"""The same rule as :func:`mask_name`, as a DuckDB expression template for masking inside queries."""


def install_masking_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the temporary DuckDB macros ``mask_number(x)`` and ``mask_name(x)`` on ``con``.

    Temporary: they live only as long as the connection, so masking never adds anything to the warehouse file.
    """
    con.execute(f"CREATE OR REPLACE TEMPORARY MACRO mask_number(x) AS ({MASK_NUMBER_SQL.format(col='x')})")
    con.execute(f"CREATE OR REPLACE TEMPORARY MACRO mask_name(x) AS ({MASK_NAME_SQL.format(col='x')})")
