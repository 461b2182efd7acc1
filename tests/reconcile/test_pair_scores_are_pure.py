"""A pair's score depends on the pair and the stored model only, never on the other records of the night.

That is what lets an incremental run keep the scores of earlier nights (``assets/reconcile/pair_cache.py``): the
name agreement is term-frequency adjusted, and Splink would count the frequencies in whatever records it is given;
the model carries frozen ones instead (``ops.linkage_model_term_frequency``).
"""

from support.snapshots import training_population

from assets.reconcile import model_store, pair_cache, standardise
from assets.reconcile.linkage import INPUT_TABLE, load_records, score_pairs, scratch_database
from sejahtera import warehouse


def test_the_model_stores_its_term_frequencies_and_finds_them_again(warehouse_path, trained_model):
    assert trained_model.term_frequencies is not None and trained_model.term_frequencies.num_rows > 50
    assert set(trained_model.term_frequencies["column_name"].to_pylist()) == {"nama_key"}
    with warehouse.connect(warehouse_path) as con:
        model_store.store(con, model_store.PUBLISHED_TABLE, trained_model, run_id="r1")
        found = model_store.latest(con, model_store.PUBLISHED_TABLE)
    assert found is not None
    assert found.term_frequencies.to_pylist() == trained_model.term_frequencies.to_pylist()


def test_a_pair_scores_the_same_among_all_records_as_among_a_third_of_them(
    tmp_path, trained_model, linkage_config
):
    path = training_population(households=150, seed=7).write(tmp_path / "wh.duckdb")
    scratch = scratch_database()
    with warehouse.connect(path) as con:
        standardise.build_records(con)
        load_records(con, scratch)
    everything = score_pairs(scratch, trained_model, linkage_config)
    scratch.execute(f"CREATE TABLE a_third AS SELECT * FROM {INPUT_TABLE} WHERE unique_id % 3 = 0")
    a_third = score_pairs(scratch, trained_model, linkage_config, input_table="a_third")

    within = [r for r in everything.to_pylist() if r["rid_l"] % 3 == 0 and r["rid_r"] % 3 == 0]
    assert a_third.num_rows > 20
    assert a_third.to_pylist() == within


def _publish_state(con) -> None:
    """What the run's publish does with the pair state (``pair_cache.PUBLICATIONS``), without the rest of a run."""
    con.execute("CREATE SCHEMA IF NOT EXISTS state")
    for publication in pair_cache.PUBLICATIONS:
        con.execute(f"CREATE OR REPLACE TABLE {publication.target} AS SELECT * FROM {publication.source}")


def test_a_second_record_with_the_same_content_is_scored_against_the_first(
    tmp_path, trained_model, linkage_config
):
    """Two equal contents make a pair no earlier night scored when the content had one record: the incremental
    scoring must score it, as a full one does."""
    path = training_population(households=150, seed=7).write(tmp_path / "wh.duckdb")
    scratch = scratch_database()
    with warehouse.connect(path) as con:
        standardise.build_records(con)
        load_records(con, scratch)
        first_night = pair_cache.score_with_state(con, scratch, trained_model, linkage_config, full=False)
        assert first_night.full
        _publish_state(con)

        original = first_night.pairs["rid_l"][0].as_py()
        copy = scratch.execute(f"SELECT max(unique_id) + 1 FROM {INPUT_TABLE}").fetchall()[0][0]
        scratch.execute(
            f"INSERT INTO {INPUT_TABLE} SELECT * REPLACE ({copy} AS unique_id) FROM {INPUT_TABLE} "
            f"WHERE unique_id = {original}"
        )
        incremental = pair_cache.score_with_state(con, scratch, trained_model, linkage_config, full=False)
        full = pair_cache.score_with_state(con, scratch, trained_model, linkage_config, full=True)

    assert not incremental.full and incremental.pairs_reused > 0
    assert (original, copy) in {(r["rid_l"], r["rid_r"]) for r in full.pairs.to_pylist()}
    assert incremental.pairs.to_pylist() == full.pairs.to_pylist()
