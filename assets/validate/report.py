"""The per-drop quality report: how many rows broke each rule (or raised each identity warning), per region,
so that an agency knows what to fix and where (``work.drop_report`` -> ``quality.drop_report``).

A row's region is its own region code (household files, Dukcapil) or, for a member, its household row's in the
same drop. Province and regency are the code's first 2 and 4 digits, named from the Kemendagri lists
(:mod:`sejahtera.reference`); a code whose province or regency is not in either list is reported as unknown
(NULL code). Counts are distinct rows.
"""

from __future__ import annotations

import duckdb

from assets.extract.raw_tables import raw_table
from assets.validate.derived import clean_text_sql
from assets.validate.tables import SQL
from sejahtera.drop_status import DropStatus
from sejahtera.reference import region_table
from sejahtera.sources import SOURCES, EntitySpec, SourceSpec
from sejahtera.sql_text import identifier, literal
from sejahtera.warehouse import WORK_SCHEMA

ROW_REGION = "row_region"
"""Temporary table: the region code of every row that failed a rule or raised a warning this run."""
REGION_NAMES = "region_name"


def _region_column(entity: EntitySpec) -> str | None:
    return next((c.key for c in entity.columns if c.kind == "region"), None)


def _flagged_rows(alias: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM (SELECT source, drop_id, file, row_number FROM {WORK_SCHEMA}.quarantine "
        f"UNION ALL SELECT source, drop_id, file, row_number FROM {WORK_SCHEMA}.row_warning) AS x "
        f"WHERE x.source = {alias}.source AND x.drop_id = {alias}.drop_id AND x.file = {alias}.file "
        f"AND x.row_number = {alias}.row_number)"
    )


def _region_sql(source: SourceSpec, entity: EntitySpec) -> str:
    raw = raw_table(source, entity.entity)
    own = _region_column(entity)
    if own:
        code = f"replace({clean_text_sql('r.' + identifier(own))}, '.', '')"
        return f"SELECT r.source, r.drop_id, r.file, r.row_number, {code} AS kode FROM {raw} AS r WHERE {_flagged_rows('r')}"
    ref = entity.household_ref
    parent = next((e for e in source.all_entities if e.entity == entity.parent), None)
    if ref is None or parent is None or _region_column(parent) is None:
        return f"SELECT r.source, r.drop_id, r.file, r.row_number, NULL AS kode FROM {raw} AS r WHERE {_flagged_rows('r')}"
    parent_raw = raw_table(source, parent.entity)
    parent_code = f"replace({clean_text_sql('p.' + identifier(_region_column(parent)))}, '.', '')"
    return (
        f"SELECT r.source, r.drop_id, r.file, r.row_number, h.kode FROM {raw} AS r "
        f"LEFT JOIN (SELECT p.drop_id, {clean_text_sql('p.' + identifier(parent.record_id.key))} AS household_key, "
        f"arg_min({parent_code}, p.file || lpad(CAST(p.row_number AS VARCHAR), 12, '0')) AS kode "
        f"FROM {parent_raw} AS p GROUP BY 1, 2) AS h "
        f"ON h.drop_id = r.drop_id AND h.household_key = {clean_text_sql('r.' + identifier(ref.key))} "
        f"WHERE {_flagged_rows('r')}"
    )


def build_report(con: duckdb.DuckDBPyConnection, run_id: str) -> int:
    """Write ``work.drop_report`` for every drop validated this run; returns its row count."""
    import pandas as pd  # lazily: loading the code location needs no pandas

    parts = [_region_sql(s, e) for s in SOURCES.values() for e in s.all_entities]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {ROW_REGION} AS " + " UNION ALL ".join(parts))
    names = region_table()[["kode_digits", "nama", "decree"]].sort_values("decree")
    names = names.drop_duplicates("kode_digits", keep="last")[["kode_digits", "nama"]]
    con.register(REGION_NAMES, pd.DataFrame(names))
    try:
        SQL.run_file(con, "drop_report", {"run_id": run_id})
    finally:
        con.unregister(REGION_NAMES)
    return con.execute("SELECT count(*) FROM work.drop_report").fetchall()[0][0]


def report_markdown(con: duckdb.DuckDBPyConnection, limit: int = 10) -> str:
    """Per drop: rows per rule and warning, and the regencies with the most failing rows."""
    lines = []
    drops = con.execute(
        "SELECT source, drop_id, status, rows_in, rows_quarantined FROM work.drop "
        f"WHERE status IN ({literal(DropStatus.APPLIED)}, {literal(DropStatus.REJECTED)}) AND rows_in IS NOT NULL ORDER BY apply_order, source, drop_id"
    ).fetchall()
    for source, drop_id, status, rows_in, quarantined in drops:
        lines.append(f"### {source}.{drop_id} ({status}: {quarantined:,} of {rows_in:,} rows quarantined)")
        counts = con.execute(
            "SELECT check_kind, name, sum(row_count) FROM work.drop_report WHERE source = ? AND drop_id = ? "
            "GROUP BY 1, 2 ORDER BY 1 DESC, 3 DESC, 2",
            [source, drop_id],
        ).fetchall()
        if counts:
            lines += ["", "| kind | rule / warning | rows |", "|---|---|---:|"]
            lines += [f"| {kind} | {name} | {rows:,} |" for kind, name, rows in counts]
        worst = con.execute(
            "SELECT coalesce(kabupaten, 'unknown region'), coalesce(provinsi, ''), sum(row_count) FROM work.drop_report "
            "WHERE source = ? AND drop_id = ? AND check_kind = 'rule' GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT ?",
            [source, drop_id, limit],
        ).fetchall()
        if worst:
            lines += ["", "| regency (rule failures) | province | rows |", "|---|---|---:|"]
            lines += [f"| {reg} | {prov} | {rows:,} |" for reg, prov, rows in worst]
        lines.append("")
    return "\n".join(lines) if lines else "No drop was validated in this run."
