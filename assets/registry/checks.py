"""Asset checks of the registry: the invariants aid decisions rest on.

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
from dataclasses import dataclass
from typing import Literal

import dagster as dg
import duckdb
from dagster import AssetCheckExecutionContext

from assets.registry import queries
from assets.registry.config import EligibilityRules, load_eligibility
from assets.registry.publish import RunState, run_state
from assets.registry.reporting import markdown_table
from sejahtera import warehouse as wh
from sejahtera.resources import WarehouseResource

WELFARE_RANKING = dg.AssetKey("welfare_ranking")
REGISTRY_HOUSEHOLD = dg.AssetKey(["registry", "household"])
Where = Literal["work", "registry"]


@dataclass(frozen=True)
class Outcome:
    passed: bool
    metadata: dict[str, object]


def use_tables(con: duckdb.DuckDBPyConnection, where: Where) -> None:
    """Point the temporary views the checks read at this run's work tables or at the published registry."""
    queries.run(con, f"checked_from_{where}")
    queries.run(con, f"checked_person_from_{where}")


def decile_sizes(con: duckdb.DuckDBPyConnection) -> Outcome:
    uneven = queries.run(con, "check_decile_sizes").fetchall()
    ranked_without, without_provincial, unranked_with, ranked = queries.run(
        con, "check_decile_assignment"
    ).fetchall()[0]
    metadata: dict[str, object] = {
        "ranked households": ranked,
        "groups with uneven deciles": len(uneven),
        "ranked without national decile": ranked_without,
        "ranked without provincial decile": without_provincial,
        "unranked with a decile": unranked_with,
    }
    if uneven:
        metadata["uneven groups"] = dg.MetadataValue.md(
            markdown_table(["level", "group", "smallest decile", "largest decile"], uneven[:50])
        )
    return Outcome(not uneven and ranked_without == without_provincial == unranked_with == 0, metadata)


def eligibility_matches(con: duckdb.DuckDBPyConnection, rules: EligibilityRules) -> Outcome:
    cutoffs = {key: programme.max_desil for key, programme in rules.programmes.items()}
    pkh, bpnt, pbi, pkh_n, bpnt_n, pbi_n = queries.run(con, "check_eligibility", **cutoffs).fetchall()[0]
    metadata: dict[str, object] = {
        "rule version": rules.version,
        "cutoffs": ", ".join(f"{key.upper()} desil 1-{value}" for key, value in cutoffs.items()),
        "PKH flags differing from the rule": pkh,
        "BPNT flags differing from the rule": bpnt,
        "PBI flags differing from the rule": pbi,
        "eligible PKH": pkh_n,
        "eligible BPNT": bpnt_n,
        "eligible PBI": pbi_n,
    }
    return Outcome(pkh == bpnt == pbi == 0, metadata)


def dead_not_counted(con: duckdb.DuckDBPyConnection) -> Outcome:
    wrong, ranked_dead, without_living = queries.run(con, "check_dead_not_counted").fetchall()[0]
    metadata: dict[str, object] = {
        "households whose jumlah_anggota is not their living members": wrong,
        "households without a living member that are ranked or eligible": ranked_dead,
        "households without a living member": without_living,
    }
    return Outcome(wrong == ranked_dead == 0, metadata)


def _eligibility_per_config(con: duckdb.DuckDBPyConnection) -> Outcome:
    return eligibility_matches(con, load_eligibility())


CHECKS: dict[str, tuple[Callable[[duckdb.DuckDBPyConnection], Outcome], str]] = {
    "deciles_equal_size": (
        decile_sizes,
        "Ten equal deciles (±1 household) nationally, per province and per regency; every ranked household has "
        "one, none without a living member does.",
    ),
    "eligibility_per_config": (
        _eligibility_per_config,
        "Every PKH/BPNT/PBI flag equals the rule of config/eligibility.yaml (a living member and desil_nasional "
        "within the cutoff).",
    ),
    "no_dead_person_counted": (
        dead_not_counted,
        "jumlah_anggota counts living members only; a household without one has no score, decile or programme.",
    ),
}


def _evaluate(
    context: AssetCheckExecutionContext,
    warehouse: WarehouseResource,
    where: Where,
    check: Callable[[duckdb.DuckDBPyConnection], Outcome],
) -> dg.AssetCheckResult:
    """Run one check where it applies; in a run with nothing to rank it passes and says why."""
    if where == "work":
        if not warehouse.has_work(context.run.run_id):
            return dg.AssetCheckResult(passed=True, metadata={"outcome": RunState.NO_WORK.value})
        with warehouse.connect(read_only=True) as con:
            state = run_state(con, context.run.run_id)
        if state is not RunState.APPLY:
            return dg.AssetCheckResult(passed=True, metadata={"outcome": state.value})
    elif not warehouse.file.exists():
        return dg.AssetCheckResult(passed=True, metadata={"outcome": "no registry published yet"})
    with warehouse.connect(read_only=True) as con:
        if where == "registry" and not wh.table_exists(con, "registry.household"):
            return dg.AssetCheckResult(passed=True, metadata={"outcome": "no registry published yet"})
        use_tables(con, where)
        outcome = check(con)
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
    def _check(context: AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        return _evaluate(context, warehouse, where, logic)

    return _check


asset_checks = [
    _make_check(asset, where, name, blocking)
    for asset, where, blocking in ((WELFARE_RANKING, "work", True), (REGISTRY_HOUSEHOLD, "registry", False))
    for name in CHECKS
]
