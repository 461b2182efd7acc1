"""Row accounting of the raw tables against ``work.drop_file``: the invariant the blocking check guards.

Every row a manifest promised for a loaded drop is in its raw table exactly once, numbered 1..n in file order,
and nothing else is there: no row of a rejected, duplicate or stale drop, no file the manifest did not list.
"""

from __future__ import annotations

import duckdb

from assets.extract.raw_tables import all_raw_tables
from sejahtera.drop_status import DropStatus
from sejahtera.sql_text import literal

FILE_COUNTS = """
SELECT file, count(*) AS rows, min(row_number) AS first, max(row_number) AS last,
       count(DISTINCT row_number) AS distinct_numbers
FROM {table}
WHERE source = ? AND drop_id = ?
GROUP BY file
"""

STAGED_DROPS = "SELECT DISTINCT source, drop_id FROM {table}"

LOADED_FILES = f"""
SELECT f.source, f.drop_id, f.file, f.rows
FROM work.drop_file AS f JOIN work.drop AS d USING (source, drop_id)
WHERE d.status = {literal(DropStatus.LOADED)} AND f.raw_table = ?
"""

LOADED_DROPS = f"SELECT source, drop_id FROM work.drop WHERE status = {literal(DropStatus.LOADED)}"


def raw_row_problems(con: duckdb.DuckDBPyConnection) -> tuple[list[str], int]:
    """One line per broken expectation (drop keys, file names and counts only), and the files checked."""
    problems: list[str] = []
    loaded_drops = {tuple(r) for r in con.execute(LOADED_DROPS).fetchall()}
    checked = 0
    for table in all_raw_tables():
        expected = {
            (source, drop_id, file): rows
            for source, drop_id, file, rows in con.execute(LOADED_FILES, [table]).fetchall()
        }
        checked += len(expected)
        for source, drop_id in con.execute(STAGED_DROPS.format(table=table)).fetchall():
            if (source, drop_id) not in loaded_drops:
                problems.append(f"{table}: rows of {source}.{drop_id}, which was not loaded")
        staged = {}
        for source, drop_id in {(s, d) for s, d, _ in expected}:
            for file, rows, first, last, distinct in con.execute(
                FILE_COUNTS.format(table=table), [source, drop_id]
            ).fetchall():
                staged[(source, drop_id, file)] = (rows, first, last, distinct)
        for key, rows in expected.items():
            got = staged.pop(key, (0, None, None, 0))
            if rows > 0 and got != (rows, 1, rows, rows):
                problems.append(
                    f"{table}: {key[0]}.{key[1]} {key[2]}: {got[0]} rows numbered {got[1]}..{got[2]}, "
                    f"manifest lists {rows}"
                )
            elif rows == 0 and got[0] != 0:
                problems.append(f"{table}: {key[0]}.{key[1]} {key[2]}: {got[0]} rows, manifest lists 0")
        problems.extend(f"{table}: {s}.{d} {f}: file not listed by its manifest" for s, d, f in staged)
    return problems, checked
