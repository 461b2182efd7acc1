"""Masking of personal data (UU PDP 27/2022) for logs, Dagster metadata, errors and test output.

Raw NIKs, KK numbers and names never leave the warehouse unmasked; everything a person reads goes through here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
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


MAX_SCRUBBED_CHARS = 500
"""Longest error text shown anywhere (log line, alert, ledger reason): a message is a clue, not a data dump."""

NUMBER_RUN = re.compile(r"\d(?:[ ./-]?\d){11,}")
"""Twelve or more digits, single spaces, dots, dashes or slashes allowed between them: an NIK or KK however it
was typed (``3201010101800001``, ``3201-0101-0180-0001``, ``3201 0101 0180 0001``, ``3201.0101.0180.0001``)."""

NUMBER_RUN_SQL = r"[0-9]([ ./-]?[0-9]){11}"
"""The same pattern for DuckDB's ``regexp_matches`` (RE2): a value holding one is masked whole."""

_QUOTED = re.compile(
    r"(?<!\w)'((?:[^'\n]|(?<=\w)'(?=\w))*)'(?!\w)"  # 'MA'RUF AMIN' is one value; the ' of can't opens none
    r"|(?<!\w)\"([^\"\n]*)\"(?!\w)"
)
_ABSOLUTE_PATH = re.compile(r"^/\S*$")


def mask_number_run(text: str) -> str:
    """``text`` with every NIK- or KK-like number (:data:`NUMBER_RUN`) masked like :func:`mask_number`.

    Separators are dropped from a masked number: ``3201-0101-0180-0001`` becomes ``3201********0001``, so the
    digits that identify the person never survive in whatever grouping they were written.
    """
    return NUMBER_RUN.sub(lambda m: mask_number(re.sub(r"\D", "", m.group(0))), text)


CODE_ERRORS = frozenset(
    {"AttributeError", "NameError", "ImportError", "ModuleNotFoundError", "NotImplementedError"}
)
"""Exception types whose quoted words are names in the code (``'RulesResource' object has no attribute 'rules'``),
never data values: masking them would only hide the bug from whoever must fix it. Numbers are still masked."""


def scrub(message: str, error_type: str = "") -> str:
    """The first line of an error message, safe to show anywhere: NIK-like numbers and quoted literals masked.

    Libraries quote the offending data value in their errors (DuckDB: ``Could not convert string 'SITI' to
    INT32``), so every quoted literal is masked like a name, except an absolute file path, which the operator
    needs and no name starts with, and except in the errors of :data:`CODE_ERRORS` (``error_type``, the
    exception's class name). The length is capped. Every error text that leaves a step (Dagster's event log,
    the console, a ledger reason, an alert) goes through here.
    """
    first_line = message.strip().splitlines()[0] if message.strip() else ""
    masked = mask_number_run(first_line)
    if error_type not in CODE_ERRORS:
        masked = _QUOTED.sub(_mask_quoted, masked)
    if len(masked) > MAX_SCRUBBED_CHARS:
        masked = masked[: MAX_SCRUBBED_CHARS - 1] + "…"
    return masked


def _mask_quoted(match: re.Match[str]) -> str:
    quote = "'" if match.group(1) is not None else '"'
    value = match.group(1) if match.group(1) is not None else match.group(2)
    if not value.strip() or _ABSOLUTE_PATH.match(value):
        return f"{quote}{value}{quote}"
    return f"{quote}{mask_name(value)}{quote}"


DATA_QUOTING_LIBRARIES = frozenset(
    {"builtins", "_duckdb", "duckdb", "pandas", "numpy", "pyarrow", "great_expectations"}
)
"""Top-level modules whose exception texts may quote a data value (DuckDB's conversion errors, pandas' KeyError,
GX's unexpected values). Exceptions of this project and of Dagster carry texts written here, masked already."""


class ScrubbedError(Exception):
    """Stands in for a library exception that cannot be rebuilt with a scrubbed message: ``Type: scrubbed text``."""


@contextmanager
def scrubbed_errors() -> Iterator[None]:
    """Re-raise a library's exception with its text scrubbed, so no data value reaches a log or the UI.

    The replacement has the same type when it can be rebuilt from one message (callers' ``except
    duckdb.IOException`` still work, the retry policy sees the same type) and keeps the traceback (code lines,
    no values); the original is suppressed, because Dagster would otherwise log it as the "context".
    """
    try:
        yield
    except Exception as exc:
        replacement = scrubbed_copy(exc)
        if replacement is None:
            raise
        raise replacement.with_traceback(exc.__traceback__) from None


def scrubbed_copy(exc: Exception) -> Exception | None:
    """``exc`` rebuilt with a scrubbed text; None when its text is this project's own (or already scrubbed)."""
    if type(exc).__module__.split(".")[0] not in DATA_QUOTING_LIBRARIES or isinstance(exc, ScrubbedError):
        return None
    text = scrub(str(exc), type(exc).__name__)
    if isinstance(exc, KeyError):  # shown as repr(text): scrubbed all the same
        return KeyError(text)
    try:
        copy = type(exc)(text)
    except Exception:  # a type that takes other arguments: the generic stand-in below
        copy = None
    return copy if copy is not None and str(copy) == text else ScrubbedError(f"{type(exc).__name__}: {text}")


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
