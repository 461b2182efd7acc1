"""Each source's new current state: ``work.snapshot_<source>_<entity>`` = published ``snapshot.*`` + this run's
applied drops (docs/architecture.md, "Snapshots").

Per source, in apply order:

* an applied ``full`` replaces the source's state: its entities become that drop's accepted rows, and the
  entities of other kinds (Dukcapil's events) are emptied: events of deltas applied before the full are in it;
* an applied ``delta`` adds its accepted rows (events) to what is there.

So: if a full was applied this run, the last one is the base and only deltas applied after it are added;
otherwise the published snapshot is the base and every delta applied this run is added. A source with no
snapshot yet (first run) starts empty. All eight tables always exist, typed from the declarations.
"""

from __future__ import annotations

import duckdb

from assets.validate.derived import snapshot_columns_ddl
from assets.validate.tables import accepted_table, snapshot_table
from sejahtera import warehouse
from sejahtera.drop_status import DropStatus
from sejahtera.sources import SOURCES, SourceSpec
from sejahtera.sql_text import identifier, literal
from sejahtera.warehouse import table_columns

FULL = "full"
LINEAGE = ("source", "drop_id", "file", "row_number")


def build_snapshots(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Write all eight ``work.snapshot_*`` tables; returns rows per table."""
    counts = {}
    for source in SOURCES.values():
        counts.update(_build_source(con, source))
    return counts


def _build_source(con: duckdb.DuckDBPyConnection, source: SourceSpec) -> dict[str, int]:
    applied = con.execute(
        f"SELECT drop_id, kind, apply_order FROM work.drop WHERE source = ? AND status = {literal(DropStatus.APPLIED)} "
        "ORDER BY apply_order, drop_id",
        [source.name],
    ).fetchall()
    fulls = [a for a in applied if a[1] == FULL]
    last_full = fulls[-1] if fulls else None
    full_entities = {e.entity for e in source.entities_by_kind.get(FULL, ())}
    counts = {}
    for entity in source.all_entities:
        target = snapshot_table(source.name, entity.entity)
        con.execute(f"CREATE OR REPLACE TABLE {target} ({snapshot_columns_ddl(entity)})")
        columns = [*LINEAGE, *(identifier(c.key) for c in entity.columns)]
        accepted = accepted_table(source.name, entity.entity)
        if last_full is None:
            published = snapshot_table(source.name, entity.entity, schema="snapshot")
            if warehouse.table_exists(con, published):
                present = table_columns(con, published)
                shared = ", ".join(c for c in columns if c in present)
                con.execute(f"INSERT INTO {target} BY NAME SELECT {shared} FROM {published}")
            additions = [a for a in applied if entity.entity not in full_entities]
        elif entity.entity in full_entities:
            additions = [last_full]
        else:  # events on top of the full: only those of drops applied after it
            additions = [a for a in applied if a[2] > last_full[2] and a[1] != FULL]
        for drop_id, _, _ in additions:
            con.execute(
                f"INSERT INTO {target} SELECT {', '.join(columns)} FROM {accepted} WHERE drop_id = ? "
                "ORDER BY file, row_number",
                [drop_id],
            )
        counts[target] = con.execute(f"SELECT count(*) FROM {target}").fetchall()[0][0]
    return counts
