"""The invariants the publish depends on, each computed from the tables themselves (not from what the code
that wrote them believes): every row of an applied drop is loaded or quarantined, never both and never
neither; and nothing of a drop that was not applied is staged for the registry."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from assets.extract.raw_tables import raw_table
from assets.validate.tables import accepted_table, snapshot_table
from sejahtera import warehouse
from sejahtera.drop_status import DropStatus
from sejahtera.sources import SOURCES
from sejahtera.sql_text import literal


@dataclass(frozen=True)
class FileAccount:
    source: str
    drop_id: str
    file: str
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    rows_both: int
    """Rows both loaded and quarantined (must be 0)."""

    @property
    def balanced(self) -> bool:
        return self.rows_in == self.rows_loaded + self.rows_quarantined and self.rows_both == 0


def file_accounts(con: duckdb.DuckDBPyConnection) -> list[FileAccount]:
    """Per file of every drop applied this run: raw rows, accepted rows, quarantined rows (distinct)."""
    out = []
    for source in SOURCES.values():
        for entity in source.all_entities:
            raw = raw_table(source, entity.entity)
            rows = con.execute(
                f"""
                SELECT r.drop_id, r.file, count(*),
                       count(a.row_number), count(q.row_number),
                       count(*) FILTER (WHERE a.row_number IS NOT NULL AND q.row_number IS NOT NULL)
                FROM {raw} AS r
                JOIN work.drop AS d ON d.source = r.source AND d.drop_id = r.drop_id AND d.status = {literal(DropStatus.APPLIED)}
                LEFT JOIN {accepted_table(source.name, entity.entity)} AS a
                  ON a.drop_id = r.drop_id AND a.file = r.file AND a.row_number = r.row_number
                LEFT JOIN (SELECT DISTINCT source, drop_id, file, row_number FROM work.quarantine) AS q
                  ON q.source = r.source AND q.drop_id = r.drop_id AND q.file = r.file
                 AND q.row_number = r.row_number
                GROUP BY r.drop_id, r.file
                ORDER BY r.drop_id, r.file
                """
            ).fetchall()
            out.extend(FileAccount(source.name, *row) for row in rows)
    return out


def ledger_mismatches(con: duckdb.DuckDBPyConnection, accounts: list[FileAccount]) -> list[str]:
    """Applied drops whose ledger totals differ from the sum of their files' counts, or whose files disagree."""
    problems = [
        f"{a.source}.{a.drop_id}/{a.file}: {a.rows_in:,} rows in, {a.rows_loaded:,} loaded + "
        f"{a.rows_quarantined:,} quarantined ({a.rows_both:,} both)"
        for a in accounts
        if not a.balanced
    ]
    totals: dict[tuple[str, str], list[int]] = {}
    for a in accounts:
        t = totals.setdefault((a.source, a.drop_id), [0, 0, 0])
        t[0] += a.rows_in
        t[1] += a.rows_loaded
        t[2] += a.rows_quarantined
    ledger = con.execute(
        f"SELECT source, drop_id, rows_in, rows_loaded, rows_quarantined FROM work.ledger WHERE status = {literal(DropStatus.APPLIED)}"
    ).fetchall()
    for source, drop_id, rows_in, loaded, quarantined in ledger:
        counted = totals.get((source, drop_id), [0, 0, 0])
        if [rows_in, loaded, quarantined] != counted or rows_in != loaded + quarantined:
            problems.append(
                f"{source}.{drop_id}: ledger says {rows_in} in = {loaded} loaded + {quarantined} quarantined, "
                f"the tables hold {counted[0]} = {counted[1]} + {counted[2]}"
            )
    return problems


def staged_rows_of_unapplied_drops(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(table, drop key, rows) of rows staged for the registry from drops this run did NOT apply.

    ``work.accepted_*`` must hold no row of them. ``work.snapshot_*`` may hold rows with the same drop id
    only when they were already published (a drop applied in an earlier run, re-delivered now as a duplicate
    or rejected for a changed manifest): they are the previous state, not this run's.
    """
    found = []
    for source in SOURCES.values():
        for entity in source.all_entities:
            accepted = accepted_table(source.name, entity.entity)
            work_snapshot = snapshot_table(source.name, entity.entity)
            published = snapshot_table(source.name, entity.entity, schema="snapshot")
            unapplied = (
                f"SELECT drop_id FROM work.drop WHERE source = ? AND status <> {literal(DropStatus.APPLIED)}"
            )
            for table in (accepted, work_snapshot):
                if not warehouse.table_exists(con, table):
                    continue
                already = (
                    f"AND NOT EXISTS (SELECT 1 FROM {published} AS p WHERE p.drop_id = t.drop_id "
                    "AND p.file = t.file AND p.row_number = t.row_number)"
                    if table == work_snapshot and warehouse.table_exists(con, published)
                    else ""
                )
                rows = con.execute(
                    f"SELECT t.drop_id, count(*) FROM {table} AS t WHERE t.drop_id IN ({unapplied}) {already} "
                    "GROUP BY t.drop_id ORDER BY t.drop_id",
                    [source.name],
                ).fetchall()
                found.extend((table, f"{source.name}.{drop_id}", n) for drop_id, n in rows)
    return found
