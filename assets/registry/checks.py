"""Asset checks of the registry: the invariants aid decisions rest on (SQL in ``invariants.py``).

* deciles of equal size: in the nation, every province and every regency, the ten deciles differ by at most one
  household, every ranked household has a decile and no household without a living member has one;
* eligibility exactly per config: every flag equals "a living member and desil_nasional <= the cutoff";
* no dead person counted: jumlah_anggota is the number of living members, and a household without one has no
  score, no decile and no programme.

Each runs twice: BLOCKING on ``welfare_ranking`` over this run's work tables, so a broken ranking is never
published; and on ``registry/household`` over the published registry, so the UI shows that what is published
holds them. Both are no-ops (passed, saying so) in a run with nothing to rank.
"""

from collections.abc import Callable

import dagster as dg
import duckdb
from dagster import AssetCheckExecutionContext

from assets.registry.config import ELIGIBILITY_FILE, load_eligibility
from assets.registry.defs import current_state
from assets.registry.invariants import (
    Outcome,
    Where,
    dead_not_counted,
    decile_sizes,
    eligibility_matches,
    use_tables,
)
from assets.registry.publish import RunState
from sejahtera import warehouse as wh
from sejahtera.resources import RulesResource, WarehouseResource
from sejahtera.run_family import work_run_id

WELFARE_RANKING = dg.AssetKey("welfare_ranking")
REGISTRY_HOUSEHOLD = dg.AssetKey(["registry", "household"])


Check = Callable[[duckdb.DuckDBPyConnection, RulesResource], Outcome]
"""One invariant as a check: it gets the rule folder too, since some compare the tables with a rule file."""


def _deciles_equal_size(con: duckdb.DuckDBPyConnection, rules: RulesResource) -> Outcome:
    return decile_sizes(con)


def _eligibility_per_config(con: duckdb.DuckDBPyConnection, rules: RulesResource) -> Outcome:
    return eligibility_matches(con, rules.read(load_eligibility, ELIGIBILITY_FILE))


def _no_dead_person_counted(con: duckdb.DuckDBPyConnection, rules: RulesResource) -> Outcome:
    return dead_not_counted(con)


CHECKS: dict[str, tuple[Check, str]] = {
    "deciles_equal_size": (
        _deciles_equal_size,
        "Ten equal deciles (±1 household) nationally, per province and per regency; every ranked household has "
        "one, none without a living member does.",
    ),
    "eligibility_per_config": (
        _eligibility_per_config,
        "Every PKH/BPNT/PBI flag equals the rule of config/eligibility.yaml (a living member and desil_nasional "
        "within the cutoff).",
    ),
    "no_dead_person_counted": (
        _no_dead_person_counted,
        "jumlah_anggota counts living members only; a household without one has no score, decile or programme.",
    ),
}


def _evaluate(
    context: AssetCheckExecutionContext,
    warehouse: WarehouseResource,
    rules: RulesResource,
    where: Where,
    check: Check,
) -> dg.AssetCheckResult:
    """Run one check where it applies; in a run with nothing to rank it passes and says why."""
    if where == "work":
        state = current_state(warehouse, work_run_id(context))
        if state is not RunState.APPLY:
            return dg.AssetCheckResult(passed=True, metadata={"outcome": state.value})
    elif not warehouse.file.exists():
        return dg.AssetCheckResult(passed=True, metadata={"outcome": "no registry published yet"})
    with warehouse.connect(read_only=True) as con:
        if where == "registry" and not wh.table_exists(con, "registry.household"):
            return dg.AssetCheckResult(passed=True, metadata={"outcome": "no registry published yet"})
        use_tables(con, where)
        outcome = check(con, rules)
    return dg.AssetCheckResult(
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "checked": "this run's ranking (before publish)" if where == "work" else "published registry"
        }
        | outcome.metadata,
    )


def _make_check(asset: dg.AssetKey, where: Where, name: str, blocking: bool) -> dg.AssetChecksDefinition:
    logic, description = CHECKS[name]

    @dg.asset_check(asset=asset, name=name, description=description, blocking=blocking, pool="warehouse")
    def _check(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource, rules: RulesResource
    ) -> dg.AssetCheckResult:
        return _evaluate(context, warehouse, rules, where, logic)

    return _check


asset_checks = [
    _make_check(asset, where, name, blocking)
    for asset, where, blocking in ((WELFARE_RANKING, "work", True), (REGISTRY_HOUSEHOLD, "registry", False))
    for name in CHECKS
]
