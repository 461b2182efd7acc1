"""Households, formed from their members and followed across KK changes.

A KK number changes when a family moves, splits (pecah KK) or loses its head, so it cannot be a household's
identity. Households are built from persons instead:

1. Every person Dukcapil knows belongs to their current Dukcapil family (KK grouping after the replay); a dead
   person alone on a KK with no living member joins the family of the spouse an agency lists with them; a
   person Dukcapil does not know joins the family their agency household-mates belong to
   (``sql/household_family_dukcapil.sql``).
2. Persons none of whose household-mates Dukcapil knows form families of their own: the agency households
   they share, across sources, joined through the persons in them (here, a union-find).
3. Every agency household record links to the family of its listed head (a family keeps its head through a
   pecah KK, a move and a re-issued KK), else to the family whose current KK it carries, else to the family
   most of its members belong to; a record without members links by its KK, or is a household of its own
   (``sql/household_link.sql``).
4. Ids: a family keeps the id of the previous household most of its members belonged to: a family that moved
   keeps its id, the larger part of a split keeps it and the other part gets a new one, a merge keeps the id of
   the larger part (:mod:`assets.reconcile.stable_ids`). Then ``sql/household_finalise.sql``, and the reason of
   every household link in ``work.link_evidence`` (``sql/household_evidence.sql``).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from assets.reconcile import stable_ids
from assets.reconcile.declared_sql import SQL
from sejahtera import warehouse

HOUSEHOLD_ID_TABLES = (
    ("registry.household", "household_id"),
    ("registry.person", "household_id"),
    ("registry.household_history", "household_id"),
    ("registry.person_history", "household_id"),
    ("registry.source_link", "registry_id"),
)
"""Every published table that ever held household ids: new ids start after the highest of them."""


@dataclass(frozen=True)
class HouseholdStats:
    households: int
    dukcapil_families: int
    agency_only_families: int
    household_records: int
    household_records_of_their_own: int
    household_records_by_head: int
    household_records_by_kk: int
    household_records_by_members: int
    kept_ids: int
    new_ids: int


def resolve_households(con: duckdb.DuckDBPyConnection) -> HouseholdStats:
    """Fill ``household_id`` of ``work.person_resolved`` and ``work.household_record``; write
    ``work.household_resolved`` and the household rows of ``work.source_link``."""
    SQL.run_file(con, "household_family_dukcapil")
    _group_agency_only_persons(con)
    SQL.run_file(con, "household_link")
    kept, new = _assign_household_ids(con)
    SQL.run_file(con, "household_finalise")
    SQL.run_file(con, "household_evidence")
    counts = con.execute(
        """
        SELECT
            (SELECT count(*) FROM work.household_resolved),
            (SELECT count(DISTINCT family_key) FROM work.person_family WHERE family_basis = 'dukcapil_kk'),
            (SELECT count(DISTINCT family_key) FROM work.person_family WHERE family_basis = 'agency_households'),
            (SELECT count(*) FROM work.household_record),
            (SELECT count(*) FROM work.household_record WHERE match_method = 'single_record'),
            (SELECT count(*) FROM work.household_record WHERE match_method = 'head'),
            (SELECT count(*) FROM work.household_record WHERE match_method = 'kk'),
            (SELECT count(*) FROM work.household_record WHERE match_method = 'members')
        """
    ).fetchall()[0]
    return HouseholdStats(*counts, kept_ids=kept, new_ids=new)


def _group_agency_only_persons(con: duckdb.DuckDBPyConnection) -> None:
    """Families of persons without any household-mate in Dukcapil: connected agency households."""
    memberships = con.execute(
        """
        SELECT m.person_id, m.source || ' ' || m.source_household_id AS household
        FROM work.agency_membership AS m
        WHERE m.person_id NOT IN (SELECT person_id FROM work.person_family)
        ORDER BY 1, 2
        """
    ).fetchall()
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        root = node
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    for person_id, household in memberships:
        a, b = find("p" + person_id), find("h" + household)
        if a != b:
            # keep the smaller household node as root, so the family key is the component's first household
            parent[max(a, b)] = min(a, b)
    # Every person node's root is a household node ("h..." sorts before "p...").
    families = sorted({(pid, "A" + find("p" + pid)[1:]) for pid, _ in memberships})
    table = pa.table(
        {
            "person_id": [p for p, _ in families],
            "family_key": [f for _, f in families],
            "family_basis": ["agency_households"] * len(families),
        },
        schema=pa.schema(
            [("person_id", pa.string()), ("family_key", pa.string()), ("family_basis", pa.string())]
        ),
    )
    con.register("_agency_families", table)
    try:
        con.execute("INSERT INTO work.person_family SELECT * FROM _agency_families")
    finally:
        con.unregister("_agency_families")
    # A person in no household at all (cannot happen with validated snapshots) is a household of their own.
    con.execute(
        """
        INSERT INTO work.person_family
        SELECT person_id, 'P' || person_id, 'alone'
        FROM work.person_resolved
        WHERE person_id NOT IN (SELECT person_id FROM work.person_family)
        """
    )


def _assign_household_ids(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """``work.household_id_map`` (family -> household id), kept from the published registry where it can be.

    Families of persons keep the id most of their members had. A household of its own record (no member) keeps
    the id its record linked to before, unless a family of persons claimed that id.
    """
    entities = [
        r[0]
        for r in con.execute(
            """
            SELECT family_key FROM (
                SELECT family_key, 0 AS kind, min(person_id) AS first FROM work.person_family GROUP BY family_key
                UNION ALL
                SELECT family_key, 1, min(family_key) FROM work.household_family
                WHERE match_method = 'single_record' GROUP BY family_key
            )
            ORDER BY kind, first
            """
        ).fetchall()
    ]
    overlaps: list[tuple[str, str, int]] = []
    own_records: list[tuple[str, str, int]] = []
    if warehouse.table_exists(con, "registry.person"):
        overlaps = [
            (r[0], r[1], r[2])
            for r in con.execute(
                """
                SELECT f.family_key, p.household_id, count(*)
                FROM work.person_family AS f
                JOIN registry.person AS p USING (person_id)
                WHERE p.household_id IS NOT NULL
                GROUP BY ALL
                """
            ).fetchall()
        ]
    if warehouse.table_exists(con, "registry.source_link"):
        own_records = [
            (r[0], r[1], 1)
            for r in con.execute(
                """
                SELECT f.family_key, s.registry_id
                FROM work.household_family AS f
                JOIN registry.source_link AS s
                  ON s.entity = 'household' AND s.source = f.source AND s.source_record_id = f.source_record_id
                WHERE f.match_method = 'single_record' AND s.registry_id IS NOT NULL
                """
            ).fetchall()
        ]
    highest = stable_ids.highest_published(con, "H", HOUSEHOLD_ID_TABLES)
    ids = stable_ids.allocate("H", entities, overlaps, highest, fallback=own_records)
    table = pa.table(
        {"family_key": pa.array(entities, pa.string()), "household_id": [ids[e] for e in entities]}
    )
    con.register("_household_ids", table)
    try:
        con.execute("CREATE OR REPLACE TABLE work.household_id_map AS SELECT * FROM _household_ids")
    finally:
        con.unregister("_household_ids")
    new = sum(1 for e in entities if int(ids[e][1:]) > highest)
    return len(entities) - new, new
