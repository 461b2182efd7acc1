"""Splink on Spark links exactly as Splink on DuckDB: the same model, the same records, the same persons.

A generated population of a few thousand person records is trained on once (DuckDB), then scored and resolved
on each backend: the candidate pairs, their comparison levels and match probabilities (within 1e-9) and the
partition of records into persons must be the same. Skipped where Java or pyspark is missing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from support.snapshots import training_population

from assets.reconcile import standardise
from assets.reconcile.config import LinkageConfig
from assets.reconcile.linkage import TrainedModel, load_records, score_pairs, scratch_database
from assets.reconcile.model_store import train_on_person_records
from assets.reconcile.persons import resolve_persons
from assets.reconcile.spark_linkage import ENGINE_ENV, LinkageEngineError, linkage_engine
from sejahtera import warehouse

if shutil.which("java") is None:
    pytest.skip("Java is missing: Splink on Spark needs Java 17 or later", allow_module_level=True)
pytest.importorskip("pyspark", reason="pyspark is missing: install the optional extra 'spark'")

from assets.reconcile.spark_linkage import spark_session

HOUSEHOLDS = 450
PROBABILITY_TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    """One local Spark for the module (it takes seconds to start), stopped at the end."""
    session = spark_session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, TrainedModel]:
    """A warehouse with the population's person records, and a model trained on them (on DuckDB)."""
    path = training_population(households=HOUSEHOLDS, seed=13).write(
        tmp_path_factory.mktemp("spark-population") / "wh.duckdb"
    )
    with warehouse.connect(path) as con:
        standardise.build_records(con)
        model = train_on_person_records(con, LinkageConfig.load())
    return path, model


def _scored_pairs(path: Path, model: TrainedModel, engine: str) -> dict[tuple[int, int], dict]:
    """Every candidate pair scored above a near-zero threshold, by its record ids."""
    almost_every_pair = replace(LinkageConfig.load(), match_probability_threshold=1e-6)
    with warehouse.connect(path) as con:
        standardise.install_macros(con)
        scratch = scratch_database()
        try:
            load_records(con, scratch)
            pairs = score_pairs(scratch, model, almost_every_pair, engine=engine).to_pylist()
        finally:
            scratch.close()
    return {(p.pop("rid_l"), p.pop("rid_r")): p for p in pairs}


def _persons(
    path: Path, model: TrainedModel, copy: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> dict:
    """Resolve persons on a copy of the warehouse with ``engine``: each record's cluster, named by its first record."""
    shutil.copyfile(path, copy)
    monkeypatch.setenv(ENGINE_ENV, engine)
    with warehouse.connect(copy) as con:
        standardise.install_macros(con)
        resolve_persons(con, model, LinkageConfig.load())
        rows = con.execute(
            "SELECT rid, min(rid) OVER (PARTITION BY cluster_rid) FROM work.person_cluster ORDER BY rid"
        ).fetchall()
        links = con.execute("SELECT rid_l, rid_r, match_method FROM work.person_link ORDER BY ALL").fetchall()
    return {"cluster_of": dict(rows), "links": links}


def test_spark_scores_the_same_pairs_with_the_same_levels_and_probabilities(spark, population):
    path, model = population
    on_duckdb = _scored_pairs(path, model, "duckdb")
    on_spark = _scored_pairs(path, model, "spark")

    assert len(on_duckdb) > 1000  # enough pairs, of every kind, for the comparison to mean something
    assert on_spark.keys() == on_duckdb.keys()
    for pair, scored in on_duckdb.items():
        other = on_spark[pair]
        for column, value in scored.items():
            if column.startswith("gamma_") or isinstance(value, bool):
                assert other[column] == value, (pair, column)
            else:
                assert other[column] == pytest.approx(value, abs=PROBABILITY_TOLERANCE), (pair, column)
    # Every level the DuckDB-only SQL used to express is reached, so the dialect-neutral forms are exercised.
    for comparison, level_count in (("nik", 4), ("nama", 8), ("tanggal_lahir", 6)):
        reached = {s[f"gamma_{comparison}"] for s in on_duckdb.values()}
        assert set(range(level_count)) <= reached, (comparison, sorted(reached))


def test_spark_and_duckdb_make_the_same_persons(spark, population, tmp_path, monkeypatch):
    path, model = population
    on_duckdb = _persons(path, model, tmp_path / "duckdb.duckdb", monkeypatch, "duckdb")
    on_spark = _persons(path, model, tmp_path / "spark.duckdb", monkeypatch, "spark")

    assert len(on_duckdb["cluster_of"]) > 2000
    assert any(m == "splink" for _, _, m in on_duckdb["links"])
    assert on_spark == on_duckdb


def test_an_unknown_engine_is_refused(monkeypatch):
    monkeypatch.setenv(ENGINE_ENV, "postgres")
    with pytest.raises(LinkageEngineError, match=f"{ENGINE_ENV}='postgres'"):
        linkage_engine()
