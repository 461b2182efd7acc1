"""Writing GX's failing rows to ``work.quarantine`` (row rules) and ``work.row_warning`` (identity warnings).

One quarantine row per broken rule of a row (contract ``quality.quarantine``), its ``detail`` one line that an
agency operator can act on, naming the column as the agency spells it. Details show masked values only: an NIK
as ``3201********0001``, never a name, and for a birth date only what is wrong (``day 31 does not exist in
month 02``, ``year 2031 is in the future``), never the whole date. When one rule fails in several columns of
a row (two codes out of their sets), the row still gets one quarantine row, its details joined with ``; ``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import duckdb

from assets.extract.columns import UNDECODED_SUFFIX
from assets.validate.derived import CONTROL_CHARACTERS, FRAME_TABLE, EntityFrame
from assets.validate.gx_runner import Validation
from sejahtera.privacy import NUMBER_RUN_SQL, masked_sql
from sejahtera.rules import row_rules as rules
from sejahtera.sources import Column
from sejahtera.sql_text import identifier, literal
from sejahtera.warehouse import WORK_SCHEMA

if TYPE_CHECKING:
    import pandas as pd

FAILURES = "validation_failures"
"""Name under which the failing rows of one entity are visible to DuckDB while they are written."""
FAILURE_COLUMNS = ["file", "row_number", "name", "column", "expectation"]
"""One row per failing (file, row, rule or warning, frame column); ``expectation`` is its index in the suite."""


def failures_frame(validations: list[tuple[str, Validation]]) -> pd.DataFrame:
    """Every failing (file, row, rule or warning, frame column) of an entity's validations, once each."""
    import pandas as pd  # lazily: loading the code location needs no pandas

    parts = []
    for file, validation in validations:
        for outcome in validation.expectations:
            if outcome.failing_rows:
                parts.append(
                    pd.DataFrame(
                        {
                            "file": file,
                            "row_number": pd.Series(outcome.failing_rows, dtype="int64"),
                            "name": outcome.name,
                            "column": outcome.column,
                            "expectation": outcome.index,
                        }
                    )
                )
    if not parts:
        return pd.DataFrame(
            {
                c: pd.Series(dtype="int64" if c in ("row_number", "expectation") else "str")
                for c in FAILURE_COLUMNS
            }
        )
    frame = pd.concat(parts, ignore_index=True)
    return frame.drop_duplicates(subset=["file", "row_number", "name", "column"], keep="first")


def write_failures(
    con: duckdb.DuckDBPyConnection,
    frame: EntityFrame,
    validations: list[tuple[str, Validation]],
    *,
    drop_id: str,
    run_id: str,
    today: int,
) -> None:
    """Append the entity's rule failures to ``work.quarantine`` and its warnings to ``work.row_warning``.

    Reads the entity's validation frame (the temporary table), which must still hold this drop's rows.
    """
    failures = failures_frame(validations)
    if failures.empty:
        return
    # Two expectations of one rule on one declared column (a date's shape and its existence) are one failure.
    failures["declared"] = failures["column"].map(lambda c: frame.column(c).column.key)
    failures = failures.drop_duplicates(subset=["file", "row_number", "name", "declared"], keep="first")
    kwargs_of = {
        (o.name, frame.column(o.column).column.key): o.kwargs
        for _, v in validations
        for o in v.expectations
        if o.failing_rows
    }
    is_rule = failures["name"].isin(rules.ALL)
    warnings = failures[~is_rule]
    failed_rules = failures[is_rule]
    con.register(FAILURES, failures)
    try:
        params = {"source": frame.source.name, "drop_id": drop_id, "run_id": run_id}
        if not warnings.empty:
            con.execute(
                f"INSERT INTO {WORK_SCHEMA}.row_warning "
                f"SELECT $source, $drop_id, x.file, x.row_number, x.name, x.column, $run_id "
                f"FROM {FAILURES} AS x WHERE x.name NOT IN ({', '.join(literal(r) for r in rules.ALL)})",
                params,
            )
        if failed_rules.empty:
            return
        selects = []
        declared_columns = {c.key: c for c in frame.entity.columns}
        pairs = failed_rules[["name", "declared"]].drop_duplicates().itertuples(index=False)
        for order, (rule_name, key) in enumerate(sorted(pairs)):
            detail = detail_sql(
                frame, rule_name, declared_columns[key], kwargs_of.get((rule_name, key), {}), today
            )
            selects.append(
                f"SELECT x.file, x.row_number, x.name AS rule, {order} AS ord, {detail} AS detail "
                f"FROM {FAILURES} AS x JOIN {FRAME_TABLE} AS f USING (file, row_number) "
                f"WHERE x.name = {literal(rule_name)} AND x.declared = {literal(key)}"
            )
        record_id = identifier(frame.entity.record_id.key)
        con.execute(
            f"""
            INSERT INTO {WORK_SCHEMA}.quarantine
            SELECT $source, $drop_id, d.file, d.row_number, CAST(f.{record_id} AS VARCHAR), d.rule,
                   string_agg(d.detail, '; ' ORDER BY d.ord), $run_id
            FROM ({" UNION ALL ".join(selects)}) AS d
            JOIN {FRAME_TABLE} AS f USING (file, row_number)
            GROUP BY d.file, d.row_number, f.{record_id}, d.rule
            """,
            params,
        )
    finally:
        con.unregister(FAILURES)


UNPRINTABLE = r"[\x00-\x1f\x7f-\x9f\x{2028}\x{2029}]"
"""What a detail never shows as is (RE2): every control character, tab, line feed and carriage return included
(text fields may hold them; a one-line detail may not), and the Unicode line and paragraph separators."""


def shown_sql(value: str) -> str:
    """A delivered value fit for a one-line detail: quoted, anything unprintable as ``?``, at most 40
    characters, and anything holding an NIK-like number (12 digits, perhaps written with separators such as
    ``3201-0101-0180-0001``) masked like an NIK."""
    text = f"CAST({value} AS VARCHAR)"
    return (
        f"(CASE WHEN {text} IS NULL THEN 'blank' "
        f"WHEN regexp_matches({text}, {literal(NUMBER_RUN_SQL)}) THEN '''' || {masked_sql(text)} || '''' "
        f"ELSE '''' || left(regexp_replace({text}, {literal(UNPRINTABLE)}, '?', 'g'), 40) || '''' END)"
    )


def _date_groups(date_format: str) -> tuple[str, dict[str, int]]:
    """A regex capturing each field of a date format, and which group holds day, month and year."""
    tokens = re.split(r"(%[dmY])", date_format)
    pattern, groups = "", {}
    for token in tokens:
        if token in ("%d", "%m", "%Y"):
            groups[token] = len(groups) + 1
            pattern += "([0-9]{4})" if token == "%Y" else "([0-9]{2})"
        else:
            pattern += re.escape(token)
    return f"^{pattern}$", groups


def _readable_format(date_format: str) -> str:
    return date_format.replace("%d", "DD").replace("%m", "MM").replace("%Y", "YYYY")


def _invalid_date_detail(name: str, value: str, column: Column) -> str:
    if not column.date_format:  # Parquet: only a delivered value not of the date type gets here
        if column.kind == "birth_date":
            return literal(f"{name} is not a real date")
        return f"{literal(name + ' ')} || {shown_sql(value)} || {literal(' is not a real date')}"
    readable = _readable_format(column.date_format)
    if column.kind != "birth_date":
        return (
            f"CASE WHEN {value} IS NULL THEN {literal(name + ' is blank')} "
            f"ELSE {literal(name + ' ')} || {shown_sql(value)} || {literal(' is not a real date written ' + readable)} END"
        )
    pattern, groups = _date_groups(column.date_format)
    dd = f"regexp_extract({value}, {literal(pattern)}, {groups['%d']})"
    mm = f"regexp_extract({value}, {literal(pattern)}, {groups['%m']})"
    yyyy = f"regexp_extract({value}, {literal(pattern)}, {groups['%Y']})"
    why = (
        f"CASE WHEN {yyyy} = '0000' THEN 'year 0000 does not exist' "
        f"WHEN CAST({mm} AS INTEGER) NOT BETWEEN 1 AND 12 THEN 'month ' || {mm} || ' does not exist' "
        f"WHEN {dd} = '00' THEN 'day 00 does not exist' "
        f"WHEN {dd} = '29' AND {mm} = '02' THEN 'day 29 does not exist in month 02 of that year' "
        f"ELSE 'day ' || {dd} || ' does not exist in month ' || {mm} END"
    )
    return (
        f"CASE WHEN {value} IS NULL THEN {literal(name + ' is blank')} "
        f"WHEN NOT regexp_full_match({value}, {literal(pattern)}) "
        f"THEN {literal(name + ' is not written ' + readable)} "
        f"ELSE {literal(name + ' is not a real date: ')} || {why} END"
    )


def detail_sql(frame: EntityFrame, rule_name: str, column: Column, kwargs: dict[str, Any], today: int) -> str:
    """The one-line detail of ``rule_name`` failing in ``column``, as a DuckDB expression over the frame ``f``."""
    name = column.name
    key = identifier(column.key)
    value = f"f.{key}"
    undecoded = f"{key}{UNDECODED_SUFFIX}"
    if frame.has_column(undecoded):  # a Parquet value not of the column's type: show what was delivered
        value = f"coalesce(CAST({value} AS VARCHAR), f.{undecoded})"
    if rule_name == rules.MISSING_RECORD_ID:
        return literal(f"{name} is blank")
    if rule_name == rules.DUPLICATE_RECORD_ID:
        first = (
            f"(SELECT g.file || ' row ' || g.row_number FROM {FRAME_TABLE} AS g "
            f"WHERE g.{key} = f.{key} AND g.{key}__occurrence = 1)"
        )
        return f"{literal(name + ' repeats the id first seen at ')} || {first}"
    if rule_name == rules.MEMBER_WITHOUT_HOUSEHOLD:
        parent = frame.entity.parent or "household"
        return (
            f"CASE f.{key}__household WHEN 'blank' THEN {literal(name + ' is blank')} "
            f"WHEN 'absent' THEN {literal(name + ' ')} || {shown_sql(value)} || {literal(f' has no {parent} row in this drop')} "
            f"ELSE {literal(name + ' ')} || {shown_sql(value)} || {literal(f': its {parent} row was quarantined')} END"
        )
    if rule_name == rules.INVALID_DATE:
        return _invalid_date_detail(name, value, column)
    if rule_name == rules.BIRTH_DATE_OUT_OF_RANGE:
        year = f"CAST(floor(f.{key}__date / 10000) AS BIGINT)"
        return (
            f"CASE WHEN f.{key}__date > {literal(today)} THEN {literal(name + ' is in the future (year ')} || {year} || ')' "
            f"ELSE {literal(name + ' is more than 120 years back (year ')} || {year} || ')' END"
        )
    if rule_name == rules.UNKNOWN_REGION_CODE:
        return (
            f"{literal(name + ' ')} || {shown_sql(value)} || "
            f"{literal(' is in neither the 2022 nor the 2025 Kemendagri village list')}"
        )
    if rule_name == rules.CODE_NOT_IN_SET:
        allowed = ", ".join(str(v) for v in kwargs.get("value_set") or column.values)
        return (
            f"CASE WHEN {value} IS NULL THEN {literal(name + ' is blank')} "
            f"ELSE {literal(name + ' ')} || {shown_sql(value)} || {literal(' is not one of ' + allowed)} END"
        )
    if rule_name == rules.CONTROL_CHARACTER:
        pattern = kwargs.get("regex") if isinstance(kwargs.get("regex"), str) else CONTROL_CHARACTERS
        found = f"regexp_extract({value}, {literal(pattern)})"
        return (
            f"{literal(name + ' contains control character ')} || printf('U+%04X', unicode({found})) || "
            f"' at position ' || strpos({value}, {found})"
        )
    if rule_name == rules.UNKNOWN_NIK_EVENT and frame.events is not None:
        kind = f"f.{identifier(frame.events.type_column)}"
        return (
            f"coalesce({kind}, 'an') || ' event for ' || "
            f"CASE WHEN {value} IS NULL THEN 'a blank NIK' ELSE 'NIK ' || {masked_sql(value)} END || "
            "', which Dukcapil does not know'"
        )
    return literal(f"{name} breaks {rule_name}")
