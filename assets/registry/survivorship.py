"""Survivorship: the value every registry field takes, chosen by rule, with the record it came from.

Dukcapil is the authority on identity and on life and death; the agencies fill in people it does not hold; a
household's housing and assets come from its Regsosek survey record, extreme poverty from P3KE
(``config/survivorship.yaml`` says which source wins for which field). Every chosen value is traced to its
source, drop, file and row in ``work.field_provenance`` (published as ``registry.field_provenance``), so that any
value in the registry can be followed back to the delivered row it came from.

Writes ``work.person_survivor``, ``work.household_survivor``, ``work.household_source_record`` and
``work.field_provenance``.
"""

from __future__ import annotations

import dataclasses

import duckdb

from assets.registry.config import Survivorship, load_survivorship
from sejahtera.sources import SPINE
from sejahtera.sql_files import stage_sql

SQL = stage_sql(__file__)


def build_survivors(con: duckdb.DuckDBPyConnection, rules: Survivorship | None = None) -> Survivorship:
    """Choose every person's and household's field values; returns the rules used (for their version)."""
    rules = rules or load_survivorship()
    SQL.run(con, "create_survivorship_rule")
    for rule in rules.rules:
        SQL.run(con, "insert_survivorship_rule", **dataclasses.asdict(rule))  # the rule is the table's row
    SQL.run(con, "registry_entities")
    SQL.run(con, "create_field_value")

    # Persons first: a household's values depend on who of its members is alive.
    SQL.run(con, "person_candidates", spine=SPINE.name)
    _pick(con, rules, "person")
    SQL.run(con, "create_chosen_values_macro")
    SQL.run(con, "person_survivor")

    SQL.run(con, "household_source_records", spine=SPINE.name)
    SQL.run(con, "household_candidates", spine=SPINE.name)
    _pick(con, rules, "household")
    SQL.run(con, "household_survivor")
    SQL.run(con, "field_provenance", rule_version=rules.version)
    return rules


def _pick(con: duckdb.DuckDBPyConnection, rules: Survivorship, entity: str) -> None:
    SQL.run(con, "pick_values", entity=entity)
    for (rule_entity, field), value in sorted(rules.defaults.items()):
        if rule_entity == entity:
            SQL.run(con, "default_values", entity=entity, field=field, value=value)
