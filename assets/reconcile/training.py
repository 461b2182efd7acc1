"""What the on-demand training job trains on: the published snapshots, standardised like a nightly run does.

The job runs outside any nightly run, so there is no ``work`` area of its own in the warehouse. The published
``snapshot.*`` tables of every declared source are copied into a scratch in-memory database under the names a
nightly run uses (``work.snapshot_*``), and the same replay and standardisation produce ``work.person_record``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from assets.reconcile.standardise import SNAPSHOT_TABLES, build_records
from sejahtera import warehouse
from sejahtera.engine import connect_memory
from sejahtera.resources import WarehouseResource
from sejahtera.sources import SPINE


class NothingToTrainOn(RuntimeError):
    """No registry has been published yet, so there are no snapshots to train the model on."""


@contextmanager
def published_person_records(published: WarehouseResource) -> Iterator[duckdb.DuckDBPyConnection]:
    """A scratch database holding ``work.person_record`` built from the published snapshots, closed on exit.

    The warehouse is open (read-only) only while the snapshots are copied, so training never holds it.
    """
    if not published.file.exists():
        raise NothingToTrainOn("train_linkage_model: no warehouse yet, so no published snapshot to train on")
    scratch = connect_memory()
    try:
        scratch.execute("CREATE SCHEMA work")
        with published.connect(read_only=True) as con:
            missing = [t for t in SNAPSHOT_TABLES if not warehouse.table_exists(con, _published(t))]
            if missing:
                raise NothingToTrainOn(
                    "train_linkage_model: no published snapshot to train on "
                    f"({', '.join(_published(t) for t in missing)} missing); run the nightly job first"
                )
            for table in SNAPSHOT_TABLES:
                rows = con.sql(f"SELECT * FROM {_published(table)}").to_arrow_table()
                scratch.register("_snapshot", rows)
                scratch.execute(f"CREATE TABLE work.{table} AS SELECT * FROM _snapshot")
                scratch.unregister("_snapshot")
        build_records(scratch)
        agency = scratch.execute(
            "SELECT count(*) FROM work.person_record WHERE source <> $spine", {"spine": SPINE.name}
        ).fetchall()
        if agency[0][0] == 0:
            raise NothingToTrainOn(
                "train_linkage_model: the published snapshots hold no agency person records"
            )
        yield scratch
    finally:
        scratch.close()


def _published(work_table: str) -> str:
    return "snapshot." + work_table.removeprefix("snapshot_")
