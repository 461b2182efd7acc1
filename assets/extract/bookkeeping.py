"""``work.drop`` and ``work.drop_file``: what extract tells validate about each drop it looked at this run.

``work.drop`` has the columns of docs/architecture.md; validate fills ``rows_loaded`` and ``rows_quarantined``
of ``loaded`` drops and turns them into ``applied`` or ``rejected``, in ``apply_order``. ``work.drop_file``
lists the files of every loaded drop with the rows the manifest promised (and that are in the raw tables), so
row accounting can be checked per file.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from assets.extract.outcome import DropOutcome
from sejahtera.drop_status import DropStatus

CREATE_DROP = """
CREATE TABLE work.drop (
    source            VARCHAR NOT NULL,
    drop_id           VARCHAR NOT NULL,
    kind              VARCHAR,
    status            VARCHAR NOT NULL,
    reason            VARCHAR,
    rows_in           BIGINT,
    rows_loaded       BIGINT,
    rows_quarantined  BIGINT,
    processed_at      TIMESTAMPTZ NOT NULL,
    manifest_sha256   VARCHAR,
    manifest_mtime_ns BIGINT NOT NULL,
    apply_order       INTEGER NOT NULL,
    PRIMARY KEY (source, drop_id)
)
"""

CREATE_DROP_FILE = """
CREATE TABLE work.drop_file (
    source   VARCHAR NOT NULL,
    drop_id  VARCHAR NOT NULL,
    file     VARCHAR NOT NULL,
    entity   VARCHAR NOT NULL,
    raw_table VARCHAR NOT NULL,
    rows     BIGINT NOT NULL,
    sha256   VARCHAR NOT NULL,
    position INTEGER NOT NULL,  -- 1-based place of the file in its manifest's list: the delivery order
    PRIMARY KEY (source, drop_id, file)
)
"""

INSERT_DROP = "INSERT INTO work.drop VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
INSERT_DROP_FILE = "INSERT INTO work.drop_file VALUES (?, ?, ?, ?, ?, ?, ?, ?)"


def create_drop_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(CREATE_DROP)
    con.execute(CREATE_DROP_FILE)


def record_outcomes(con: duckdb.DuckDBPyConnection, outcomes: Sequence[DropOutcome]) -> None:
    """One ``work.drop`` row per drop; ``work.drop_file`` rows for loaded drops.

    Drops that will not be applied (rejected, duplicate, stale) loaded nothing and quarantined nothing: their
    counts are 0. A loaded drop's counts are left NULL for validate to fill.
    """
    drop_rows = []
    file_rows = []
    for o in outcomes:
        done = o.status != DropStatus.LOADED
        drop_rows.append(
            (
                o.folder.source,
                o.folder.drop_id,
                o.kind,
                o.status,
                o.reason,
                o.rows_in,
                0 if done else None,
                0 if done else None,
                o.processed_at,
                o.manifest_sha256,
                o.folder.manifest_mtime_ns,
                o.apply_order,
            )
        )
        file_rows.extend(
            (o.folder.source, o.folder.drop_id, f.name, f.entity, f.table, f.rows, f.sha256, position)
            for position, f in enumerate(o.files, start=1)
        )
    if drop_rows:
        con.executemany(INSERT_DROP, drop_rows)
    if file_rows:
        con.executemany(INSERT_DROP_FILE, file_rows)
