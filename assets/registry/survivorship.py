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

import duckdb

from assets.extract.sources import SPINE
from assets.registry import queries
from assets.registry.config import Survivorship, load_survivorship


def build_survivors(con: duckdb.DuckDBPyConnection, rules: Survivorship | None = None) -> Survivorship:
    """Choose every person's and household's field values; returns the rules used (for their version)."""
    rules = rules or load_survivorship()
    queries.run(con, "create_survivorship_rule")
    for rule in rules.rules:
        queries.run(
            con,
            "insert_survivorship_rule",
            entity=rule.entity,
            field=rule.field,
            source=rule.source,
            tier=rule.tier,
            source_order=rule.source_order,
        )
    queries.run(con, "registry_entities")
    queries.run(con, "create_field_value")

    # Persons first: a household's values depend on who of its members is alive.
    queries.run(con, "person_candidates", spine=SPINE.name)
    _pick(con, rules, "person")
    queries.run(con, "person_survivor")

    queries.run(con, "household_source_records", spine=SPINE.name)
    queries.run(con, "household_candidates", spine=SPINE.name)
    _pick(con, rules, "household")
    queries.run(con, "household_survivor")
    queries.run(con, "field_provenance", rule_version=rules.version)
    return rules


def _pick(con: duckdb.DuckDBPyConnection, rules: Survivorship, entity: str) -> None:
    queries.run(con, "pick_values", entity=entity)
    for (rule_entity, field), value in sorted(rules.defaults.items()):
        if rule_entity == entity:
            queries.run(con, "default_values", entity=entity, field=field, value=value)
