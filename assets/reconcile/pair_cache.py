"""Scored candidate pairs kept between runs, so that a night scores only the pairs its changes touch.

Scoring candidate pairs with Splink is the costly part of a run, and a pair's score is a pure function of the two
records' linkage inputs (a row of ``LINKAGE_INPUT_SQL``, record id aside), the stored model (with its frozen
term frequencies: :func:`assets.reconcile.linkage.use_frozen_term_frequencies`), the linkage configuration and
the scoring code. So the published state keeps:

* ``state.linkage_record``: the content keys (``row_key``, a hash of the linkage input) of the records of the
  last run that applied drops, with how many records had each;
* ``state.linkage_pair``: every candidate pair among those records at or above the link threshold, keyed by the
  two content keys, with everything :func:`assets.reconcile.linkage.score_pairs` returns for it;
* ``state.linkage_scoring``: the fingerprint of what scored them (model, configuration, scoring code).

A run whose fingerprint matches reuses them: the records whose content key the state lacks are *changed*, and so
are the records of a key now held by two or more records that last run's records held once (their pair with each
other, two equal contents, was never scored); the
records that share a blocking key with a changed record (:data:`assets.reconcile.linkage_settings.BLOCKING_KEYS`)
are loaded with them, Splink scores that subset, and only pairs with a changed record are taken from it. Every
other candidate pair is between two unchanged records whose contents were both present last run (as two
records, if the contents are equal), so it was scored then and is in the state (or was below the threshold, and
still is). The result is the same set of pairs with the same
values as scoring everything; only the work differs. The run's state replaces the published one in the run's
one publish (:data:`PUBLICATIONS`), so the state always describes the published registry.

A full rebuild (``sejahtera run --full``, or a run whose fingerprint differs from the state's: a new model, a
changed threshold, changed scoring code, or no state yet) treats every record as changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from assets.reconcile import identity, linkage, linkage_settings
from assets.reconcile.config import LinkageConfig
from assets.reconcile.linkage import INPUT_TABLE, TrainedModel, no_pairs, score_pairs
from sejahtera import warehouse
from sejahtera.warehouse import Publication

TABLES = ("linkage_record", "linkage_pair", "linkage_scoring")
PUBLICATIONS = [Publication(f"state.{t}", f"work.{t}", "replace") for t in TABLES]
"""The pair state this run leaves for the next, replacing the published one in the run's single publish."""

SUBSET_TABLE = "linkage_subset"
CHANGED_TABLE = "linkage_changed"
SCORING_CODE = hashlib.sha256(
    b"".join(Path(module.__file__).read_bytes() for module in (linkage, linkage_settings, identity))
    + Path(__file__).read_bytes()
).hexdigest()
"""A hash of the modules whose code decides a pair's score or how the state is kept, as this process loaded them:
an edit to any of them invalidates every stored score (and a state of another layout)."""
NO_MODEL = "no model: NIK links only"


@dataclass(frozen=True)
class PairScoring:
    """The run's scored pairs (the columns of :func:`assets.reconcile.linkage.score_pairs`) and how they were got."""

    pairs: pa.Table
    full: bool
    """Whether every record was scored (a full rebuild) rather than only the changed ones."""
    changed_records: int
    """Records whose linkage input the previous state did not hold (all of them in a full rebuild)."""
    records_scored: int
    """Records Splink scored: the changed ones and those they block with."""
    pairs_reused: int
    """Pairs taken from the previous state, not scored again."""


def scoring_fingerprint(model: TrainedModel, config: LinkageConfig) -> str:
    """What a stored score depends on besides the two records: the model (its parameters, term frequencies and
    when it was trained), the linkage configuration and the scoring code."""
    digest = hashlib.sha256()
    digest.update(json.dumps(model.settings, sort_keys=True, default=str).encode())
    digest.update(f"{model.fingerprint}|{model.trained_at.isoformat()}".encode())
    if model.term_frequencies is not None:
        for column in model.term_frequencies.columns:
            digest.update(json.dumps(column.to_pylist(), default=str).encode())
    digest.update(json.dumps(asdict(config), sort_keys=True, default=str).encode())
    digest.update(SCORING_CODE.encode())
    return digest.hexdigest()


def score_with_state(
    con: duckdb.DuckDBPyConnection,
    scratch: duckdb.DuckDBPyConnection,
    model: TrainedModel,
    config: LinkageConfig,
    full: bool,
) -> PairScoring:
    """Score the candidate pairs of the records loaded in ``scratch`` (``linkage_input``), reusing the published
    state unless ``full``; write the run's state to ``work.linkage_*`` (:data:`PUBLICATIONS`)."""
    fingerprint = scoring_fingerprint(model, config)
    _add_row_keys(scratch)
    keys = scratch.sql(f"SELECT unique_id AS rid, row_key FROM {INPUT_TABLE} ORDER BY rid").to_arrow_table()
    _create_from_arrow(con, "work.linkage_row_key", keys)
    full = full or not _state_matches(con, fingerprint)
    changed = _changed_rids(con, full)
    _create_from_arrow(scratch, CHANGED_TABLE, changed)
    records_scored = 0
    if full:
        new_pairs = score_pairs(scratch, model, config)
        records_scored = keys.num_rows
    elif changed.num_rows:
        records_scored = _build_subset(scratch)
        scored = score_pairs(scratch, model, config, input_table=SUBSET_TABLE)
        touched = pc.or_(pc.is_in(scored["rid_l"], changed["rid"]), pc.is_in(scored["rid_r"], changed["rid"]))
        new_pairs = scored.filter(touched)
    else:
        new_pairs = no_pairs(model.settings)
    pairs, reused = _with_reused_pairs(con, new_pairs, changed, reuse=not full)
    _write_state(con, pairs, fingerprint)
    return PairScoring(
        pairs=pairs,
        full=full,
        changed_records=changed.num_rows,
        records_scored=records_scored,
        pairs_reused=reused,
    )


def write_empty_state(con: duckdb.DuckDBPyConnection, model_settings: dict) -> None:
    """The state of a run that scored no pair (no model): nothing to reuse, so the next run scores everything."""
    con.execute("CREATE OR REPLACE TABLE work.linkage_row_key (rid BIGINT, row_key VARCHAR)")
    _write_state(con, no_pairs(model_settings), NO_MODEL)


def _add_row_keys(scratch: duckdb.DuckDBPyConnection) -> None:
    """``row_key``: a hash of every linkage input column but the record id, i.e. of all a score depends on."""
    columns = [
        r[0]
        for r in scratch.execute(f"DESCRIBE {INPUT_TABLE}").fetchall()
        if r[0] not in ("unique_id", "row_key")
    ]
    packed = ", ".join(f'"{c}" := "{c}"' for c in columns)
    scratch.execute(
        f"CREATE OR REPLACE TABLE {INPUT_TABLE} AS "
        f"SELECT *, md5(to_json(struct_pack({packed}))) AS row_key FROM {INPUT_TABLE} ORDER BY unique_id"
    )


def _state_matches(con: duckdb.DuckDBPyConnection, fingerprint: str) -> bool:
    if not all(warehouse.table_exists(con, f"state.{t}") for t in TABLES):
        return False
    rows = con.execute("SELECT fingerprint FROM state.linkage_scoring").fetchall()
    return rows == [(fingerprint,)]


def _changed_rids(con: duckdb.DuckDBPyConnection, full: bool) -> pa.Table:
    if full:
        return con.sql("SELECT rid FROM work.linkage_row_key ORDER BY rid").to_arrow_table()
    return con.sql(
        """
        WITH now AS (SELECT row_key, count(*) AS records FROM work.linkage_row_key GROUP BY row_key)
        SELECT k.rid
        FROM work.linkage_row_key AS k
        JOIN now USING (row_key)
        LEFT JOIN state.linkage_record AS s USING (row_key)
        WHERE s.row_key IS NULL OR (now.records > 1 AND s.records < 2)
        ORDER BY k.rid
        """
    ).to_arrow_table()


def _build_subset(scratch: duckdb.DuckDBPyConnection) -> int:
    """``linkage_subset``: the changed records and every record sharing a blocking key with one; returns rows."""
    neighbours = "\nUNION\n".join(
        f"SELECT i.unique_id FROM {INPUT_TABLE} AS i SEMI JOIN changed AS c ON "
        + " AND ".join(f"i.{column} = c.{column}" for column in columns)
        for columns in linkage_settings.BLOCKING_KEYS
    )
    scratch.execute(
        f"""
        CREATE OR REPLACE TABLE {SUBSET_TABLE} AS
        WITH changed AS (SELECT * FROM {INPUT_TABLE} SEMI JOIN {CHANGED_TABLE} AS c ON unique_id = c.rid)
        SELECT * FROM {INPUT_TABLE}
        WHERE unique_id IN (SELECT rid FROM {CHANGED_TABLE} UNION {neighbours})
        ORDER BY unique_id
        """
    )
    return scratch.execute(f"SELECT count(*) FROM {SUBSET_TABLE}").fetchall()[0][0]


def _with_reused_pairs(
    con: duckdb.DuckDBPyConnection, new_pairs: pa.Table, changed: pa.Table, reuse: bool
) -> tuple[pa.Table, int]:
    """The pairs just scored plus, when reusing, the stored pairs between two unchanged records, by record id
    (a changed record's pairs were all scored again)."""
    if not reuse:
        return new_pairs, 0
    score_columns = [c for c in new_pairs.column_names if c not in ("rid_l", "rid_r")]
    stored = ", ".join(f"p.{c}" for c in score_columns)
    con.register("_changed", changed)
    try:
        reused = con.sql(
            f"""
            SELECT least(a.rid, b.rid) AS rid_l, greatest(a.rid, b.rid) AS rid_r, {stored}
            FROM state.linkage_pair AS p
            JOIN work.linkage_row_key AS a ON a.row_key = p.key_l
            JOIN work.linkage_row_key AS b ON b.row_key = p.key_r
            WHERE (p.key_l <> p.key_r OR a.rid < b.rid)
              AND a.rid NOT IN (SELECT rid FROM _changed)
              AND b.rid NOT IN (SELECT rid FROM _changed)
            """
        ).to_arrow_table()
    finally:
        con.unregister("_changed")
    combined = pa.concat_tables([new_pairs, reused.cast(new_pairs.schema)])
    return combined.sort_by([("rid_l", "ascending"), ("rid_r", "ascending")]), reused.num_rows


def _write_state(con: duckdb.DuckDBPyConnection, pairs: pa.Table, fingerprint: str) -> None:
    """``work.linkage_record``, ``work.linkage_pair`` (keyed by content) and ``work.linkage_scoring``."""
    score_columns = ", ".join(f"p.{c}" for c in pairs.column_names if c not in ("rid_l", "rid_r"))
    con.register("_pairs", pairs)
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TABLE work.linkage_pair AS
            SELECT least(a.row_key, b.row_key) AS key_l, greatest(a.row_key, b.row_key) AS key_r, {score_columns}
            FROM _pairs AS p
            JOIN work.linkage_row_key AS a ON a.rid = p.rid_l
            JOIN work.linkage_row_key AS b ON b.rid = p.rid_r
            QUALIFY row_number() OVER (PARTITION BY key_l, key_r ORDER BY p.rid_l, p.rid_r) = 1
            ORDER BY key_l, key_r
            """
        )
    finally:
        con.unregister("_pairs")
    con.execute(
        "CREATE OR REPLACE TABLE work.linkage_record AS "
        "SELECT row_key, count(*) AS records FROM work.linkage_row_key GROUP BY row_key ORDER BY row_key"
    )
    con.execute("CREATE OR REPLACE TABLE work.linkage_scoring (fingerprint VARCHAR NOT NULL)")
    con.execute("INSERT INTO work.linkage_scoring VALUES (?)", [fingerprint])


def _create_from_arrow(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    con.register("_arrow_data", data)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _arrow_data")
    finally:
        con.unregister("_arrow_data")
