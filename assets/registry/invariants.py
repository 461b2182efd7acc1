"""The registry's SQL invariants, the facts aid decisions rest on, each returning an :class:`Outcome`.

They read temporary views (``use_tables``) that point at this run's work tables or at the published registry,
so the same SQL checks the ranking before the publish and the registry after it; ``checks.py`` runs them as
Dagster asset checks.
"""

from dataclasses import dataclass
from typing import Literal

import dagster as dg
import duckdb

from assets.registry.config import EligibilityRules
from assets.registry.reporting import markdown_table
from sejahtera.sql_files import stage_sql

SQL = stage_sql(__file__)

Where = Literal["work", "registry"]


@dataclass(frozen=True)
class Outcome:
    passed: bool
    metadata: dict[str, object]


def use_tables(con: duckdb.DuckDBPyConnection, where: Where) -> None:
    """Point the temporary views the checks read at this run's work tables or at the published registry."""
    SQL.run(con, f"checked_from_{where}")
    SQL.run(con, f"checked_person_from_{where}")


def decile_sizes(con: duckdb.DuckDBPyConnection) -> Outcome:
    uneven = SQL.run(con, "check_decile_sizes").fetchall()
    ranked_without, without_provincial, unranked_with, ranked = SQL.run(
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
    pkh, bpnt, pbi, pkh_n, bpnt_n, pbi_n = SQL.run(con, "check_eligibility", **cutoffs).fetchall()[0]
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
    wrong, ranked_dead, without_living = SQL.run(con, "check_dead_not_counted").fetchall()[0]
    metadata: dict[str, object] = {
        "households whose jumlah_anggota is not their living members": wrong,
        "households without a living member that are ranked or eligible": ranked_dead,
        "households without a living member": without_living,
    }
    return Outcome(wrong == ranked_dead == 0, metadata)
