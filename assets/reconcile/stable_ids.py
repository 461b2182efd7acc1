"""Stable registry ids: ``P`` + 9 digits for persons, ``H`` + 9 digits for households (docs/architecture.md).

An entity of this run keeps the id of the previously published entity it shares the most with (source records
for persons, members for households). Claims are settled greedily, largest overlap first, so when a person or a
family splits the larger part keeps the id and the other part gets a new one; when two merge, the id of the
larger part survives. Ties go to the smaller old id, then to the entity that comes first in the given order,
so a rerun on the same inputs gives the same ids. Entities that inherit nothing get new ids after the highest
ever published (ids are never reused), in the given order.

Weaker evidence that an entity is a previous one (the same record content under a new record id, after an agency
re-keyed its export; a household record that was its own household before) is passed as ``fallback`` overlaps:
they are settled the same way, but only among the entities and old ids the shared records left unclaimed.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import duckdb

from sejahtera import warehouse

ID_DIGITS = 9


def format_id(prefix: str, number: int) -> str:
    return f"{prefix}{number:0{ID_DIGITS}d}"


def allocate(
    prefix: str,
    entities: Sequence[Hashable],
    overlaps: Sequence[tuple[Hashable, str, int]],
    highest_used: int,
    fallback: Sequence[tuple[Hashable, str, int]] = (),
) -> dict[Hashable, str]:
    """Ids for ``entities`` (in allocation order) given ``(entity, previous id, shared count)`` overlaps, then
    ``fallback`` overlaps for what is left."""
    position = {entity: i for i, entity in enumerate(entities)}
    ids: dict[Hashable, str] = {}
    taken: set[str] = set()
    for claims in (overlaps, fallback):
        for entity, old_id, _shared in sorted(
            (o for o in claims if o[0] in position and o[2] > 0),
            key=lambda o: (-o[2], o[1], position[o[0]]),
        ):
            if entity in ids or old_id in taken:
                continue
            ids[entity] = old_id
            taken.add(old_id)
    next_number = highest_used
    for entity in entities:
        if entity not in ids:
            next_number += 1
            ids[entity] = format_id(prefix, next_number)
    return ids


def highest_published(con: duckdb.DuckDBPyConnection, prefix: str, columns: Sequence[tuple[str, str]]) -> int:
    """The highest id number with ``prefix`` in any of the published ``(table, column)`` that exist (0 if none).

    Every table that ever held such ids is looked at (registry and its history), so an id that left the
    registry is never handed out again.
    """
    highest = 0
    for table, column in columns:
        if not warehouse.table_exists(con, table) or not _has_column(con, table, column):
            continue
        row = con.execute(
            f"SELECT max(TRY_CAST(substr({column}, 2) AS BIGINT)) FROM {table} "
            f"WHERE left({column}, 1) = ? AND length({column}) = ?",
            [prefix, ID_DIGITS + 1],
        ).fetchall()
        if row and row[0][0] is not None:
            highest = max(highest, int(row[0][0]))
    return highest


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    schema, name = table.split(".")
    return (
        con.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
            "AND column_name = ? AND table_catalog = current_database()",
            [schema, name, column],
        ).fetchall()[0][0]
        > 0
    )
