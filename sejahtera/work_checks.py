"""Blocking ERROR asset checks over a run's work tables: the guard every stage puts before the publish.

A stage states what must hold as a function that gets a read-only connection and returns the problems it
finds (one line each, masked values only) and the metadata to show; :func:`blocking_work_check` makes it a
Dagster asset check. Written once so that every such check behaves alike: a run with no new drops has no work
tables and passes saying so; any problem fails the check at ERROR severity, and, being blocking, stops what
comes after it (the publish included).
"""

from collections.abc import Callable

import dagster as dg
import duckdb

from sejahtera.resources import WarehouseResource
from sejahtera.run_family import work_run_id

FindProblems = Callable[[duckdb.DuckDBPyConnection], tuple[list[str], dict[str, object]]]


def blocking_work_check(
    *, asset: dg.AssetsDefinition | dg.AssetKey, name: str, description: str, find_problems: FindProblems
) -> dg.AssetChecksDefinition:
    """The check ``name`` on ``asset``: passes when ``find_problems`` returns no problem."""

    @dg.asset_check(asset=asset, name=name, description=description, blocking=True, pool="warehouse")
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        return evaluate(context, warehouse, find_problems)

    return _check


def evaluate(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, find_problems: FindProblems
) -> dg.AssetCheckResult:
    """The check's result for this run: the problems (the first ten) are its description."""
    if not warehouse.has_work(work_run_id(context)):
        return dg.AssetCheckResult(passed=True, metadata={"note": "no new drops this run"})
    with warehouse.connect(read_only=True) as con:
        problems, metadata = find_problems(con)
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(problems[:10]) or None,
        metadata=metadata,
    )
