"""The extract stage's Dagster asset checks: the blocking row accounting of the raw tables
(``invariants.raw_row_problems``), evaluated after ``landed_drops`` so the publish never goes on without it."""

import duckdb

from assets.extract.defs import landed_drops
from assets.extract.invariants import raw_row_problems
from sejahtera.work_checks import blocking_work_check

RAW_ROWS_MATCH_MANIFESTS = "raw_rows_match_manifests"


def _raw_row_problems(con: duckdb.DuckDBPyConnection) -> tuple[list[str], dict[str, object]]:
    problems, files = raw_row_problems(con)
    return problems, {"files checked": files, "problems": len(problems)}


raw_rows_match_manifests = blocking_work_check(
    asset=landed_drops,
    name=RAW_ROWS_MATCH_MANIFESTS,
    description=(
        "Every file of every loaded drop is in its raw table with exactly the rows its manifest lists, numbered "
        "1..n, and no row of a drop that was not loaded is staged. Blocking: the publish must not go on if not."
    ),
    find_problems=_raw_row_problems,
)
