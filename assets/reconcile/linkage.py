"""Running the Splink model (DuckDB backend): training it, and scoring candidate pairs with it (on DuckDB, or on
Spark when configured: :mod:`assets.reconcile.spark_linkage`).

Splink works in a scratch in-memory DuckDB database, never in the warehouse: it creates dozens of intermediate
tables, and the warehouse is published atomically by the registry stage. The person records go over as Arrow,
the scored pairs come back as Arrow. Everything is seeded or deterministic: the same records and the same stored
model give the same pairs and the same probabilities.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from splink import DuckDBAPI, Linker
from splink.internals.exceptions import EMTrainingException
from splink.internals.splink_dataframe import SplinkDataFrame

from assets.reconcile import linkage_settings
from assets.reconcile.config import LinkageConfig
from assets.reconcile.declared_sql import SQL
from assets.reconcile.identity import install_identity_macros
from assets.reconcile.spark_linkage import linkage_engine, predict_on_spark
from sejahtera.engine import connect_memory

INPUT_TABLE = "linkage_input"
SPARK_PREDICTIONS_TABLE = "spark_predictions"
"""Where the pairs Spark scored land in the scratch database."""

PLAUSIBLE_IDENTITY_SQL = """(
    name_alike(l.nama, r.nama, l.nama_key, r.nama_key, l.nama_skeleton, r.nama_skeleton)
    OR (birth_date_consistent(l.tanggal_lahir, r.tanggal_lahir)
        AND (list_has_any(l.name_tokens, r.name_tokens) OR l.nama_phonetic = r.nama_phonetic))
)"""
"""A probabilistic link is only ever taken between records whose names are alike, or whose birth dates agree
and whose names at least share a token or a sound. Whatever the NIK, KK and address say: a relative who
borrowed the NIK, or shares the family card, has another name and birth date."""
DUPLICATE_EVIDENCE_SQL = """(
    identity_consistent(
        l.nama, r.nama, l.nama_key, r.nama_key, l.nama_skeleton, r.nama_skeleton, l.tanggal_lahir, r.tanggal_lahir
    )
    AND l.jenis_kelamin IS NOT DISTINCT FROM r.jenis_kelamin
    AND (l.nik = r.nik
         OR (l.nama_key = r.nama_key AND l.tanggal_lahir = r.tanggal_lahir AND l.kode_wilayah = r.kode_wilayah))
)"""
"""Overwhelming evidence that two records of ONE source are a duplicate of one person (an agency lists a person
once, so this is the only way two of its records join one person): a consistent identity and sex, and either
the same NIK or the same name, birth date and village. Siblings, twins and a child carrying a parent's NIK all
fail it: their names or birth dates differ."""

SPLINK_LOG_LEVEL = logging.ERROR
"""Splink's training warnings (a level never observed in a small sample) would flood the run's console; what they
say is kept instead in ``TrainedModel.unobserved_levels`` and shown in the assets' metadata."""


class NotEnoughToTrain(RuntimeError):
    """The records cannot train a model: nothing to link (no agency record, say Dukcapil's first full alone), or
    too few for some comparison to be learned at all. The run then links by NIK alone (deterministic links)."""


@dataclass(frozen=True)
class TrainedModel:
    """Splink's trained settings (its JSON), with what it was trained on."""

    settings: dict
    trained_at: datetime
    training_records: int
    fingerprint: str
    unobserved_levels: tuple[str, ...] = ()
    """Levels training never saw among matches; they weigh as the next weaker level (:func:`fill_unobserved`)."""
    sure_matches: int = 0
    """Record pairs with the same NIK and a consistent identity in the training data: what the model learned
    from. Too few, and the model is used for one run but not kept."""
    term_frequencies: pa.Table | None = None
    """How often each value of a term-frequency adjusted column (``nama_key``) occurred in the training records:
    ``column_name``, ``value``, ``term_frequency`` (:func:`frozen_term_frequencies`). Scoring uses these, never
    frequencies of the night's data, so a pair's score depends on the pair and the model only."""


def scratch_database() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the identity macros the comparisons call."""
    con = connect_memory()
    con.execute("SET enable_progress_bar = false")
    install_identity_macros(con)
    return con


def load_records(warehouse: duckdb.DuckDBPyConnection, scratch: duckdb.DuckDBPyConnection) -> int:
    """Copy ``work.person_record`` into the scratch database in the model's input columns; returns rows.

    The deterministic NIK links (``work.nik_padan_link``) are made first: they give each agency record the
    current Dukcapil family of its household-mates.
    """
    SQL.run_file(warehouse, "nik_padan_link")
    records = warehouse.sql(linkage_settings.LINKAGE_INPUT_SQL).to_arrow_table()
    scratch.register("_linkage_input", records)
    try:
        scratch.execute(f"CREATE OR REPLACE TABLE {INPUT_TABLE} AS SELECT * FROM _linkage_input")
    finally:
        scratch.unregister("_linkage_input")
    return records.num_rows


def train(scratch: duckdb.DuckDBPyConnection, config: LinkageConfig) -> TrainedModel:
    """Estimate the prior (from near-certain matches), u (seeded random sampling) and m (expectation
    maximisation) on the loaded records."""
    records, agency_records = scratch.execute(
        f"SELECT count(*), count(*) FILTER (WHERE NOT is_spine) FROM {INPUT_TABLE}"
    ).fetchall()[0]
    if agency_records == 0 or records < 2:
        raise NotEnoughToTrain(f"{records} person record(s), {agency_records} from agencies: nothing to link")
    sure_matches = scratch.execute(linkage_settings.SURE_MATCHES_SQL).fetchall()[0][0]
    linker = _linker(
        scratch, linkage_settings.settings(prior_probability(records, agency_records, sure_matches, config))
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=config.u_pairs(records), seed=config.seed)
    for block in linkage_settings.TRAINING_BLOCKS:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block, estimate_without_term_frequencies=True, max_pairs=config.em_max_pairs
            )
        except EMTrainingException:
            continue  # the block holds no record pair: the other blocks may still teach every comparison
    model_settings = linker.misc.save_model_to_json()
    unlearned = [
        c["output_column_name"]
        for c in model_settings["comparisons"]
        if not any(
            _observed(lv.get("m_probability")) for lv in c["comparison_levels"] if not lv.get("is_null_level")
        )
    ]
    if unlearned:
        raise NotEnoughToTrain(
            f"{records} person records taught nothing about {', '.join(unlearned)} (no record pair to learn from)"
        )
    unobserved = fill_unobserved(model_settings)
    frequencies = frozen_term_frequencies(linker, linkage_settings.term_frequency_columns(model_settings))
    return TrainedModel(
        settings=model_settings,
        trained_at=datetime.now(UTC),
        training_records=records,
        fingerprint=linkage_settings.settings_fingerprint(),
        unobserved_levels=tuple(unobserved),
        sure_matches=sure_matches,
        term_frequencies=frequencies,
    )


TERM_FREQUENCY_SCHEMA = pa.schema(
    [("column_name", pa.string()), ("value", pa.string()), ("term_frequency", pa.float64())]
)


def frozen_term_frequencies(linker: Linker, columns: list[str]) -> pa.Table:
    """Splink's term-frequency table of each column over the training records, in one long table."""
    parts = []
    for column in columns:
        table = linker.table_management.compute_tf_table(column)
        try:
            frame = table.as_pandas_dataframe()
        finally:
            table.drop_table_from_database_and_remove_from_cache()
        parts.append(
            pa.table(
                {
                    "column_name": pa.array([column] * len(frame), pa.string()),
                    "value": pa.array(frame[column].astype("string").tolist(), pa.string()),
                    "term_frequency": pa.array(
                        frame[f"tf_{column}"].astype("float64").tolist(), pa.float64()
                    ),
                },
                schema=TERM_FREQUENCY_SCHEMA,
            )
        )
    if not parts:
        return TERM_FREQUENCY_SCHEMA.empty_table()
    return pa.concat_tables(parts).sort_by([("column_name", "ascending"), ("value", "ascending")])


def use_frozen_term_frequencies(linker: Linker, model: TrainedModel) -> None:
    """Make ``linker`` adjust by the model's stored term frequencies instead of computing them from its input.

    A value training never saw has no frequency: Splink then applies no adjustment (the level's own weight),
    the same on every night whatever else was delivered.
    """
    stored = (
        model.term_frequencies if model.term_frequencies is not None else TERM_FREQUENCY_SCHEMA.empty_table()
    )
    for column in linkage_settings.term_frequency_columns(model.settings):
        rows = stored.filter(pc.equal(stored["column_name"], column))
        lookup = pa.table(
            {column: rows["value"], f"tf_{column}": rows["term_frequency"]},
        )
        registered = linker.table_management.register_table(lookup, f"frozen_tf_{column}", overwrite=True)
        linker.table_management.register_term_frequency_lookup(registered, column)


def prior_probability(records: int, agency_records: int, sure_matches: int, config: LinkageConfig) -> float:
    """The share of all record pairs that are one person: near-certain matches scaled up by their assumed recall.

    With no near-certain match at all (no Dukcapil yet, or no usable NIK), each agency record is assumed to
    have one match: a rough prior, and such a model is never kept (``min_sure_matches_to_keep_model``).
    """
    pairs = records * (records - 1) / 2
    expected = sure_matches / config.prior_rules_recall if sure_matches else agency_records
    return min(0.5, max(expected, 1) / pairs) if pairs else 0.5


def fill_unobserved(model_settings: dict) -> list[str]:
    """Give every level training never observed a cautious weight instead of Splink's fallback; returns them.

    Splink would otherwise weigh an unseen level by a default m (arbitrary) or by m = 1e-6 (a huge penalty), so a
    small or unusual training set (no family ever moved within a district) could make "same district" count
    against a match more than "another province". An unseen level borrows the Bayes factor of the next weaker
    level, so the levels stay in order and an unseen level never speaks louder than what was measured; an unseen
    weakest level gets half the smallest m (and u) measured in its comparison: disagreement, mildly penalised.
    """
    filled: list[str] = []
    for comparison in model_settings["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        measured_m = [lv["m_probability"] for lv in levels if _observed(lv.get("m_probability"))]
        measured_u = [lv["u_probability"] for lv in levels if _observed(lv.get("u_probability"))]
        if not measured_m or not measured_u:
            continue
        weaker: dict | None = None
        for level in reversed(levels):
            if _observed(level.get("m_probability")) and _observed(level.get("u_probability")):
                weaker = level
                continue
            u = level["u_probability"] if _observed(level.get("u_probability")) else None
            if weaker is None:
                level["u_probability"] = u if u is not None else min(measured_u) / 2
                level["m_probability"] = min(measured_m) / 2
            else:
                level["u_probability"] = u if u is not None else weaker["u_probability"]
                bayes_factor = weaker["m_probability"] / weaker["u_probability"]
                level["m_probability"] = min(1.0, level["u_probability"] * bayes_factor)
            filled.append(
                f"{comparison['output_column_name']}: {level.get('label_for_charts') or level['sql_condition']}"
            )
            weaker = level
    return filled


def _observed(probability: object) -> bool:
    return isinstance(probability, int | float) and probability > 0


def score_pairs(
    scratch: duckdb.DuckDBPyConnection,
    model: TrainedModel,
    config: LinkageConfig,
    engine: str | None = None,
    input_table: str = INPUT_TABLE,
) -> pa.Table:
    """Candidate pairs at or above the link threshold: ids, weight, probability and the level of each comparison.

    ``input_table`` holds the records to pair among (default: every loaded record; an incremental run passes
    the changed records and those they block with, :mod:`assets.reconcile.pair_cache`).

    ``engine`` is the Splink backend that scores them (``duckdb`` or ``spark``; default: ``SEJAHTERA_LINKAGE_ENGINE``,
    :mod:`assets.reconcile.spark_linkage`). Either way the scored pairs are in a table of ``scratch``, and the
    identity guards below are evaluated there, by the DuckDB macros.
    """

    def predict(linker: Linker) -> SplinkDataFrame:
        use_frozen_term_frequencies(linker, model)
        chunks = max(1, config.predict_chunks)
        return linker.inference.predict(
            threshold_match_probability=config.match_probability_threshold,
            num_chunks_left=chunks,
            num_chunks_right=chunks,
            warning_mode="never",
        )

    if (engine or linkage_engine()) == "spark":
        predict_on_spark(
            scratch, input_table, model.settings, predict, SPARK_PREDICTIONS_TABLE, SPLINK_LOG_LEVEL
        )
        predictions_table = SPARK_PREDICTIONS_TABLE
        drop_predictions = partial(scratch.execute, f"DROP TABLE {SPARK_PREDICTIONS_TABLE}")
    else:
        predictions = predict(_linker(scratch, model.settings, input_table))
        predictions_table = predictions.physical_name
        drop_predictions = predictions.drop_table_from_database_and_remove_from_cache
    levels = ", ".join(f"p.gamma_{c}, p.mw_{c}" for c in comparison_names(model.settings))
    try:
        return scratch.sql(
            f"""
            SELECT
                least(p.unique_id_l, p.unique_id_r) AS rid_l,
                greatest(p.unique_id_l, p.unique_id_r) AS rid_r,
                p.match_weight,
                p.match_probability,
                {levels},
                {PLAUSIBLE_IDENTITY_SQL} AS identity_plausible,
                {DUPLICATE_EVIDENCE_SQL} AS duplicate_evidence
            FROM {predictions_table} AS p
            JOIN {input_table} AS l ON l.unique_id = p.unique_id_l
            JOIN {input_table} AS r ON r.unique_id = p.unique_id_r
            ORDER BY rid_l, rid_r
            """
        ).to_arrow_table()
    finally:
        drop_predictions()


def no_pairs(model_settings: dict) -> pa.Table:
    """What :func:`score_pairs` returns when there is no model to score with: no pair, the same columns."""
    fields = [
        ("rid_l", pa.int64()),
        ("rid_r", pa.int64()),
        ("match_weight", pa.float64()),
        ("match_probability", pa.float64()),
    ]
    for name in comparison_names(model_settings):
        fields += [(f"gamma_{name}", pa.int32()), (f"mw_{name}", pa.float64())]
    fields += [("identity_plausible", pa.bool_()), ("duplicate_evidence", pa.bool_())]
    return pa.schema(fields).empty_table()


def comparison_names(model_settings: dict) -> list[str]:
    return [c["output_column_name"] for c in model_settings["comparisons"]]


def level_labels(model_settings: dict) -> dict[str, dict[int, str]]:
    """For each comparison, the label of each gamma value (the level a pair fell in), for explaining links."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in model_settings["comparisons"]:
        levels = comparison["comparison_levels"]
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        by_gamma = {-1: "missing"}
        for position, level in enumerate(non_null):
            by_gamma[len(non_null) - 1 - position] = level.get("label_for_charts") or level["sql_condition"]
        labels[comparison["output_column_name"]] = by_gamma
    return labels


def _linker(
    scratch: duckdb.DuckDBPyConnection, model_settings: object, input_table: str = INPUT_TABLE
) -> Linker:
    db_api = DuckDBAPI(connection=scratch)
    records = db_api.register(input_table)
    return Linker(records, model_settings, log_level=SPLINK_LOG_LEVEL)
