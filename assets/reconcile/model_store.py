"""The trained linkage model as a stored artefact: ``ops.linkage_model``, one row per training.

Nightly runs reuse the newest model trained for the current declaration (its fingerprint: a model trained for
other comparisons is never applied to these). The on-demand job ``train_linkage_model`` appends a new one in its
own transaction; a nightly run that finds none trains once with the same function, keeps the model in
``work.linkage_model`` and publishes it with the run (``Publication`` append). The model's frozen term
frequencies go with it, into ``<table>_term_frequency``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import duckdb
import splink

from assets.reconcile import linkage_settings
from assets.reconcile.config import LinkageConfig
from assets.reconcile.linkage import (
    TERM_FREQUENCY_SCHEMA,
    TrainedModel,
    load_records,
    scratch_database,
    train,
)
from sejahtera import warehouse

PUBLISHED_TABLE = "ops.linkage_model"
WORK_TABLE = "work.linkage_model"
TERM_FREQUENCY_SUFFIX = "_term_frequency"
"""Each model table has a companion ``<table>_term_frequency``: the model's frozen term frequencies, one row per
(column, value), tied to their model by ``trained_at`` and ``settings_fingerprint``."""
TERM_FREQUENCY_COLUMNS = """(
    trained_at TIMESTAMPTZ NOT NULL,
    settings_fingerprint VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    term_frequency DOUBLE NOT NULL
)"""
COLUMNS = """(
    trained_at TIMESTAMPTZ NOT NULL,
    training_records BIGINT NOT NULL,
    sure_matches BIGINT NOT NULL,
    settings_fingerprint VARCHAR NOT NULL,
    splink_version VARCHAR NOT NULL,
    run_id VARCHAR,
    model_json VARCHAR NOT NULL,
    unobserved_levels VARCHAR[] NOT NULL
)"""


def train_on_person_records(con: duckdb.DuckDBPyConnection, config: LinkageConfig) -> TrainedModel:
    """Train on ``work.person_record`` of ``con`` (the one training function, nightly or on demand)."""
    with loaded_records(con) as scratch:
        return train(scratch, config)


@contextmanager
def loaded_records(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """A scratch database holding ``work.person_record`` of ``con`` in the model's input columns, closed on exit:
    what training and scoring read (a nightly step that trains does both on one load)."""
    scratch = scratch_database()
    try:
        load_records(con, scratch)
        yield scratch
    finally:
        scratch.close()


def latest(con: duckdb.DuckDBPyConnection, table: str) -> TrainedModel | None:
    """The newest model in ``table`` trained for the current declaration, if any."""
    if not warehouse.table_exists(con, table):
        return None
    rows = con.execute(
        f"SELECT model_json, trained_at, training_records, settings_fingerprint, unobserved_levels, sure_matches "
        f"FROM {table} "
        "WHERE settings_fingerprint = ? ORDER BY trained_at DESC LIMIT 1",
        [linkage_settings.settings_fingerprint()],
    ).fetchall()
    if not rows:
        return None
    model_json, trained_at, records, fingerprint, unobserved, sure_matches = rows[0]
    frequencies = con.sql(
        f"SELECT column_name, value, term_frequency FROM {table}{TERM_FREQUENCY_SUFFIX} "
        "WHERE trained_at = $trained_at AND settings_fingerprint = $fingerprint ORDER BY column_name, value",
        params={"trained_at": trained_at, "fingerprint": fingerprint},
    ).to_arrow_table()
    return TrainedModel(
        settings=json.loads(model_json),
        trained_at=trained_at
        if isinstance(trained_at, datetime)
        else datetime.fromisoformat(str(trained_at)),
        training_records=int(records),
        fingerprint=fingerprint,
        unobserved_levels=tuple(unobserved),
        sure_matches=int(sure_matches),
        term_frequencies=frequencies.cast(TERM_FREQUENCY_SCHEMA),
    )


def worth_keeping(model: TrainedModel, config: LinkageConfig) -> bool:
    """Whether the model learned from enough near-certain matches to be reused by later runs."""
    return model.sure_matches >= config.min_sure_matches_to_keep_model


def ensure_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    schema = table.split(".")[0]
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} {COLUMNS}")
    con.execute(f"CREATE TABLE IF NOT EXISTS {table}{TERM_FREQUENCY_SUFFIX} {TERM_FREQUENCY_COLUMNS}")


def store(con: duckdb.DuckDBPyConnection, table: str, model: TrainedModel, run_id: str | None) -> None:
    ensure_table(con, table)
    con.execute(
        f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            model.trained_at,
            model.training_records,
            model.sure_matches,
            model.fingerprint,
            splink.__version__,
            run_id,
            json.dumps(model.settings, sort_keys=True),
            list(model.unobserved_levels),
        ],
    )
    if model.term_frequencies is not None and model.term_frequencies.num_rows:
        con.register("_term_frequencies", model.term_frequencies)
        try:
            con.execute(
                f"INSERT INTO {table}{TERM_FREQUENCY_SUFFIX} "
                "SELECT ?, ?, column_name, value, term_frequency FROM _term_frequencies",
                [model.trained_at, model.fingerprint],
            )
        finally:
            con.unregister("_term_frequencies")
