"""The trained model as an artefact: unseen levels made safe, stored and found again, reused only when it fits."""

import math
from dataclasses import replace

import pytest
from support.snapshots import training_population

from assets.reconcile import linkage_settings, model_store, standardise
from assets.reconcile.linkage import fill_unobserved, level_labels
from sejahtera import warehouse


def _levels(*pairs):
    levels = [{"sql_condition": "x IS NULL", "is_null_level": True}]
    for i, (m, u) in enumerate(pairs):
        levels.append({"sql_condition": f"level {i}", "label_for_charts": f"level {i}", "m_probability": m,
                       "u_probability": u})  # fmt: skip
    return {"comparisons": [{"output_column_name": "x", "comparison_levels": levels}]}


def _weights(model):
    return [
        math.log2(lv["m_probability"] / lv["u_probability"])
        for lv in model["comparisons"][0]["comparison_levels"]
        if not lv.get("is_null_level")
    ]


def test_an_unobserved_level_weighs_as_the_next_weaker_level():
    model = _levels(
        (0.9, 0.001), (None, 0.01), ("level not observed in training dataset", 0.1), (0.05, 0.889)
    )
    filled = fill_unobserved(model)
    assert filled == ["x: level 2", "x: level 1"]
    weights = _weights(model)
    assert math.isclose(weights[1], weights[3]) and math.isclose(weights[2], weights[3])
    assert weights[0] > 0  # observed levels untouched


def test_an_unobserved_weakest_level_is_mildly_penalised():
    model = _levels((0.9, 0.001), (0.1, 0.05), (None, 0.949))
    assert fill_unobserved(model) == ["x: level 2"]
    weights = _weights(model)
    assert weights[2] < 0 and weights[2] < weights[1] < weights[0]


def test_a_fully_observed_model_is_left_alone():
    model = _levels((0.9, 0.001), (0.1, 0.999))
    assert fill_unobserved(model) == []
    assert model == _levels((0.9, 0.001), (0.1, 0.999))


def test_level_labels_follow_splink_s_gamma_numbering():
    labels = level_labels(_levels((0.9, 0.001), (0.05, 0.01), (0.05, 0.989)))
    assert labels["x"] == {-1: "missing", 2: "level 0", 1: "level 1", 0: "level 2"}


def test_a_stored_model_is_found_again_only_for_the_same_declaration(warehouse_path, trained_model):
    with warehouse.connect(warehouse_path) as con:
        assert model_store.latest(con, model_store.PUBLISHED_TABLE) is None
        model_store.store(con, model_store.PUBLISHED_TABLE, trained_model, run_id="r1")
        other = replace(trained_model, fingerprint="another-declaration", trained_at=trained_model.trained_at)
        model_store.store(con, model_store.PUBLISHED_TABLE, other, run_id="r2")
        found = model_store.latest(con, model_store.PUBLISHED_TABLE)
    assert found is not None
    assert found.fingerprint == linkage_settings.settings_fingerprint() == trained_model.fingerprint
    assert found.settings == trained_model.settings
    assert found.training_records == trained_model.training_records
    assert found.unobserved_levels == trained_model.unobserved_levels


def test_training_is_reproducible(trained_model, tmp_path, linkage_config):
    """The same records train the same model (seeded sampling, deterministic EM)."""
    path = training_population(households=150, seed=7).write(tmp_path / "again.duckdb")
    with warehouse.connect(path) as con:
        standardise.build_records(con)
        again = model_store.train_on_person_records(con, linkage_config)
    drop_uid = {"linker_uid"}
    assert {k: v for k, v in again.settings.items() if k not in drop_uid} == {
        k: v for k, v in trained_model.settings.items() if k not in drop_uid
    }


def test_a_threshold_outside_0_1_is_refused():
    import pytest

    from assets.reconcile.config import LinkageConfig

    with pytest.raises(ValueError, match="match_probability_threshold"):
        replace(LinkageConfig.load(), match_probability_threshold=1.0)


def test_a_trained_model_rendered_for_duckdb_again_is_the_stored_model(trained_model):
    # Spark scoring renders the declaration in Spark's SQL with the trained m/u; rendered for DuckDB it must be
    # exactly what training stored, so nothing but the dialect differs between the two backends.
    stored = {k: v for k, v in trained_model.settings.items() if k != "linker_uid"}
    rendered = linkage_settings.trained_settings_for(trained_model.settings, "duckdb")
    rendered.pop("linker_uid", None)
    assert rendered == stored
    spark = linkage_settings.trained_settings_for(trained_model.settings, "spark")
    assert "jaro_winkler(`nama_key_l`, `nama_key_r`) >= 0.9" in [
        lv["sql_condition"] for lv in spark["comparisons"][1]["comparison_levels"]
    ]


def test_a_model_of_another_declaration_is_not_rendered(trained_model):
    other = {**trained_model.settings, "comparisons": trained_model.settings["comparisons"][:-1]}
    with pytest.raises(ValueError, match="other comparisons"):
        linkage_settings.trained_settings_for(other, "spark")


def test_the_u_sample_grows_with_the_records_between_its_bounds():
    from assets.reconcile.config import LinkageConfig

    config = replace(LinkageConfig.load(), u_pairs_per_record=10, u_min_pairs=1_000, u_max_pairs=50_000)
    assert [config.u_pairs(n) for n in (0, 50, 100, 2_000, 5_000, 10**9)] == [
        1_000, 1_000, 1_000, 20_000, 50_000, 50_000
    ]  # fmt: skip


def test_a_u_floor_above_its_ceiling_is_refused():
    import pytest

    from assets.reconcile.config import LinkageConfig

    with pytest.raises(ValueError, match="u_min_pairs"):
        replace(LinkageConfig.load(), u_min_pairs=10, u_max_pairs=9)
