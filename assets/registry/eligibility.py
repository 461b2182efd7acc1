"""Eligibility: each programme's flag from the national decile, by the cutoffs of ``config/eligibility.yaml``,
with a reason per household and programme; and who receives which programme now (DTKS flags, P3KE lists).

Writes ``work.eligibility`` (long: household, programme, flag, reason), ``work.household_eligibility`` (the three
flags), ``work.programme_rule`` and ``work.programme_receipt``.
"""

from __future__ import annotations

import duckdb

from assets.registry.config import EligibilityRules, load_eligibility
from sejahtera.sql_files import stage_sql

SQL = stage_sql(__file__)


def build_eligibility(
    con: duckdb.DuckDBPyConnection, rules: EligibilityRules | None = None
) -> EligibilityRules:
    """Needs ``work.household_welfare``."""
    rules = rules or load_eligibility()
    SQL.run(con, "create_programme_rule")
    SQL.run(con, "create_programme_alias")
    for programme in rules.programmes.values():
        SQL.run(
            con,
            "insert_programme_rule",
            programme=programme.key,
            name=programme.name,
            max_desil=programme.max_desil,
            rule_version=rules.version,
        )
        for alias in sorted(set(programme.aliases)):
            SQL.run(con, "insert_programme_alias", alias=alias, programme=programme.key)
    SQL.run(con, "eligibility")
    SQL.run(con, "household_eligibility")
    SQL.run(con, "programme_receipt")
    return rules
