"""The extract stage's Dagster asset checks: the blocking row accounting of the raw tables
(``invariants.raw_row_problems``), evaluated after ``landed_drops`` so the publish never goes on without it."""

import dagster as dg
import duckdb

from assets.extract.defs import landed_drops
from assets.extract.invariants import raw_row_problems
from sejahtera.resources import WarehouseResource

RAW_ROWS_MATCH_MANIFESTS = "raw_rows_match_manifests"


@dg.asset_check(
    asset=landed_drops,
    name=RAW_ROWS_MATCH_MANIFESTS,
    blocking=True,
    pool="warehouse",
    description=(
        "Every file of every loaded drop is in its raw table with exactly the rows its manifest lists, numbered "
        "1..n, and no row of a drop that was not loaded is staged. Blocking: the publish must not go on if not."
    ),
)
def raw_rows_match_manifests(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    def find_problems(con: duckdb.DuckDBPyConnection) -> tuple[list[str], dict[str, object]]:
        problems, files = raw_row_problems(con)
        return problems, {"files checked": files, "problems": len(problems)}

    return warehouse.check_work(context, find_problems)
