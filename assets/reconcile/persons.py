"""Person resolution: every person record of every source becomes part of exactly one registry person.

1. Deterministic: an agency record whose NIK Dukcapil holds with a consistent identity is that Dukcapil
   person (``sql/nik_padan_link.sql``).
2. Probabilistic: Splink scores candidate pairs among all records, Dukcapil's as the spine
   (:mod:`assets.reconcile.linkage`); pairs below the threshold or without a plausible identity are dropped.
3. Clustering: links strongest first, never two Dukcapil records or two records of one source in one person
   (:mod:`assets.reconcile.clustering`).
4. Stable ids (:mod:`assets.reconcile.stable_ids`: the previous person sharing most source records, else, for
   records an agency re-keyed, the previous person whose record had the same content), the record's
   ``match_method`` / ``match_probability``, the evidence of every link (``work.link_evidence``) and the NIK
   status (``sql/person_resolved.sql``).

Match methods: ``dukcapil`` (the Dukcapil record a person is built on), ``nik_padan`` (deterministic NIK link),
``splink`` (probabilistic link; its probability), ``single_record`` (nothing linked to it: a person of its own,
probability 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from assets.reconcile import pair_cache, stable_ids
from assets.reconcile.clustering import Clustering, Edges, cluster
from assets.reconcile.config import LinkageConfig
from assets.reconcile.declared_sql import SQL, previous_person_tables
from assets.reconcile.linkage import (
    TrainedModel,
    comparison_names,
    level_labels,
    load_records,
    no_pairs,
    scratch_database,
)
from assets.reconcile.linkage_settings import declared_settings
from sejahtera import warehouse
from sejahtera.sources import SPINE as CIVIL_REGISTRY

SPINE = CIVIL_REGISTRY.name
PERSON_ID_TABLES = (
    ("registry.person", "person_id"),
    ("registry.person_history", "person_id"),
    ("registry.link_evidence", "person_id"),
)
"""Every published table that ever held person ids: new ids start after the highest of them."""
NIK_RECORD_WEIGHT = 1_000_000
"""How much more the previous person's Dukcapil record (its NIK) counts than an agency record when a new person
claims an old id: the NIK is who the person is, so when a person's records part, the id stays with the NIK."""
PREVIOUS_AGENCY_SNAPSHOTS = previous_person_tables()
"""The agencies' person records of the previous state (published by the last run that applied drops)."""


@dataclass(frozen=True)
class PersonStats:
    records: int
    persons: int
    pairs_above_threshold: int
    plausible_pairs: int
    nik_padan_links: int
    splink_links: int
    kept_ids: int
    new_ids: int
    full_rebuild: bool
    """Every record's pairs scored (no reusable pair state, or asked for), rather than only the changed ones."""
    changed_records: int
    records_scored: int
    pairs_reused: int


def resolve_persons(
    con: duckdb.DuckDBPyConnection,
    model: TrainedModel | None,
    config: LinkageConfig,
    full: bool = False,
    loaded: duckdb.DuckDBPyConnection | None = None,
) -> PersonStats:
    """Fill ``person_id``/``match_method``/``match_probability`` of ``work.person_record``; write
    ``work.person_resolved`` and ``work.link_evidence``. Without a model (too little data to train one),
    only the deterministic NIK links are made.

    Pairs scored by an earlier run are reused unless ``full`` (:mod:`assets.reconcile.pair_cache`); the result
    is the same either way, everything after the scoring runs over all records.

    ``loaded``: a scratch database :func:`load_records` already filled in this step (the one the model was just
    trained on), so a first build does not make the NIK links and copy the records twice.
    """
    if model is None:
        SQL.run_file(con, "nik_padan_link")
        model_settings = declared_settings()
        pairs = no_pairs(model_settings)
        pair_cache.write_empty_state(con, model_settings)
        scoring = pair_cache.PairScoring(
            pairs, full=True, changed_records=0, records_scored=0, pairs_reused=0
        )
    else:
        model_settings = model.settings
        scratch = loaded or scratch_database()
        try:
            if loaded is None:
                load_records(con, scratch)
            scoring = pair_cache.score_with_state(con, scratch, model, config, full)
            pairs = scoring.pairs
        finally:
            if loaded is None:
                scratch.close()

    sources = [r[0] for r in con.execute("SELECT source FROM work.person_record ORDER BY rid").fetchall()]
    padan = con.sql("SELECT rid, spine_rid FROM work.nik_padan_link ORDER BY spine_rid, rid").fetchnumpy()
    deterministic = Edges(
        rid_a=padan["rid"].astype(np.int64),
        rid_b=padan["spine_rid"].astype(np.int64),
        weight=np.full(len(padan["rid"]), np.inf),
        duplicate_ok=np.zeros(len(padan["rid"]), dtype=np.bool_),
    )
    plausible = pairs.filter(pa.compute.field("identity_plausible"))
    scored = Edges(
        rid_a=plausible["rid_l"].to_numpy().astype(np.int64),
        rid_b=plausible["rid_r"].to_numpy().astype(np.int64),
        weight=plausible["match_weight"].to_numpy(zero_copy_only=False).astype(np.float64),
        duplicate_ok=plausible["duplicate_evidence"].to_numpy(zero_copy_only=False).astype(np.bool_),
    )
    result = cluster(sources, SPINE, deterministic, scored, _weight(config.same_source_min_match_probability))

    _write_links(con, result, deterministic, plausible, pairs, model_settings)
    kept, new = _assign_person_ids(con, result)
    SQL.run_file(con, "person_methods")
    SQL.run_file(con, "person_resolved")
    SQL.run_file(con, "person_source_link")
    persons = con.execute("SELECT count(*) FROM work.person_resolved").fetchall()[0][0]
    return PersonStats(
        records=len(sources),
        persons=persons,
        pairs_above_threshold=pairs.num_rows,
        plausible_pairs=plausible.num_rows,
        nik_padan_links=len(result.accepted_deterministic),
        splink_links=len(result.accepted_scored),
        kept_ids=kept,
        new_ids=new,
        full_rebuild=scoring.full,
        changed_records=scoring.changed_records,
        records_scored=scoring.records_scored,
        pairs_reused=scoring.pairs_reused,
    )


def _weight(probability: float) -> float:
    """The match weight (bits) of a probability: Splink's weights and probabilities are the same scale."""
    return math.log2(probability / (1.0 - probability))


def _write_links(
    con: duckdb.DuckDBPyConnection,
    result: Clustering,
    deterministic: Edges,
    plausible: pa.Table,
    pairs: pa.Table,
    model_settings: dict,
) -> None:
    """``work.person_cluster`` (rid -> cluster) and ``work.person_link`` (every link taken, with its evidence)."""
    import pandas as pd  # lazily: loading the code location needs no pandas

    clusters = pa.table(
        {
            "rid": pa.array(np.arange(1, len(result.cluster_of), dtype=np.int64)),
            "cluster_rid": pa.array(result.cluster_of[1:]),
        }
    )
    taken_det = pa.table(
        {
            "rid_l": pa.array(
                np.minimum(deterministic.rid_a, deterministic.rid_b)[result.accepted_deterministic]
            ),
            "rid_r": pa.array(
                np.maximum(deterministic.rid_a, deterministic.rid_b)[result.accepted_deterministic]
            ),
        }
    )
    taken_scored = plausible.take(pa.array(result.accepted_scored))
    names = comparison_names(model_settings)
    labels = level_labels(model_settings)
    evidence_columns = [c for name in names for c in (f"gamma_{name}", f"mw_{name}")]
    all_pairs = pairs.select(["rid_l", "rid_r", "match_weight", "match_probability", *evidence_columns])
    label_rows = [
        (name, gamma, label) for name, by_gamma in labels.items() for gamma, label in by_gamma.items()
    ]
    level_table = pd.DataFrame(label_rows, columns=["comparison", "gamma", "label"])
    for name, table in (
        ("_person_cluster", clusters),
        ("_taken_det", taken_det),
        ("_taken_scored", taken_scored.select(["rid_l", "rid_r"])),
        ("_scored_pairs", all_pairs),
        ("_levels", level_table),
    ):
        con.register(name, table)
    try:
        con.execute(
            "CREATE OR REPLACE TABLE work.person_cluster AS SELECT * FROM _person_cluster ORDER BY rid"
        )
        level_selects = ",\n".join(
            f"(SELECT label FROM _levels WHERE comparison = '{name}' AND gamma = s.gamma_{name}) AS {name},\n"
            f"s.mw_{name} AS {name}_weight"
            for name in names
        )
        con.execute(
            f"""
            CREATE OR REPLACE TABLE work.person_link AS
            WITH taken AS (
                SELECT rid_l, rid_r, 'nik_padan' AS match_method FROM _taken_det
                UNION ALL
                SELECT rid_l, rid_r, 'splink' FROM _taken_scored
            )
            SELECT
                t.rid_l,
                t.rid_r,
                t.match_method,
                CASE WHEN t.match_method = 'nik_padan' THEN 1.0 ELSE s.match_probability END AS match_probability,
                s.match_weight,
                {level_selects}
            FROM taken AS t
            LEFT JOIN _scored_pairs AS s USING (rid_l, rid_r)
            ORDER BY t.rid_l, t.rid_r
            """
        )
    finally:
        for name in ("_person_cluster", "_taken_det", "_taken_scored", "_scored_pairs", "_levels"):
            con.unregister(name)


def _assign_person_ids(con: duckdb.DuckDBPyConnection, result: Clustering) -> tuple[int, int]:
    """``work.person_id_map`` (cluster -> person id): kept from the published registry where it can be."""
    roots = con.execute(
        "SELECT cluster_rid FROM work.person_cluster GROUP BY cluster_rid ORDER BY min(rid)"
    ).fetchall()
    entities = [r[0] for r in roots]
    overlaps: list[tuple[int, str, int]] = []
    if warehouse.table_exists(con, "registry.source_link"):
        overlaps = [
            (r[0], r[1], r[2])
            for r in con.execute(
                """
                SELECT c.cluster_rid, s.registry_id,
                       count(*) + count(*) FILTER (WHERE p.source = ?) * ?
                FROM work.person_cluster AS c
                JOIN work.person_record AS p USING (rid)
                JOIN registry.source_link AS s
                  ON s.entity = 'person' AND s.source = p.source AND s.source_record_id = p.source_record_id
                WHERE s.registry_id IS NOT NULL
                GROUP BY ALL
                """,
                [SPINE, NIK_RECORD_WEIGHT],
            ).fetchall()
        ]
    highest = stable_ids.highest_published(
        con, "P", (*PERSON_ID_TABLES, ("registry.source_link", "registry_id"))
    )
    ids = stable_ids.allocate("P", entities, overlaps, highest, fallback=_rekeyed_claims(con))
    mapping = pa.table(
        {"cluster_rid": pa.array(entities, pa.int64()), "person_id": [ids[e] for e in entities]}
    )
    con.register("_person_ids", mapping)
    try:
        con.execute(
            "CREATE OR REPLACE TABLE work.person_id_map AS SELECT * FROM _person_ids ORDER BY cluster_rid"
        )
    finally:
        con.unregister("_person_ids")
    kept = sum(1 for e in entities if not _is_new(ids[e], highest))
    return kept, len(entities) - kept


def _rekeyed_claims(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str, int]]:
    """Previous persons of records that came back under new ids (``sql/person_rekeyed.sql``), if any were published."""
    needed = ("registry.source_link", *PREVIOUS_AGENCY_SNAPSHOTS)
    if not all(warehouse.table_exists(con, table) for table in needed):
        return []
    return [(r[0], r[1], r[2]) for r in con.execute(SQL.text("person_rekeyed")).fetchall()]


def _is_new(person_id: str, highest: int) -> bool:
    return int(person_id[1:]) > highest
