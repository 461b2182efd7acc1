"""The welfare ranking: a PMT score monotone in every variable's direction, equal deciles, imputation, the dead."""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from datetime import date
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.registry_world import POOR_SURVEY, RICH_SURVEY, World
from support.surveys import MIDDLE_SURVEY

from assets.registry.config import CODEBOOK_VARIABLES, load_pmt_weights
from assets.registry.survivorship import build_survivors
from assets.registry.welfare import build_welfare, reference_date, score_surveyed
from sejahtera import warehouse

WEIGHTS = load_pmt_weights()


def _score_all(rows: list[dict]) -> dict[str, float]:
    """Score hand-made ``work.welfare_input`` rows with the real PMT SQL, in memory."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA work")
    base = {
        "kode_provinsi": "32",
        "kode_kabupaten": "3201",
        "survey_record_id": "R",
        "survey_linked": True,
        "p3ke_desil": None,
        "dtks_listed": False,
        "tanggal_pencacahan": date(2026, 9, 15),
        "education_level": 3,
        "employment_share": 0.5,
        "jumlah_anggota": 4,
        "dependants": 2,
    }
    frame = [base | MIDDLE_SURVEY | row for row in rows]
    import pandas as pd

    con.register("rows", pd.DataFrame(frame))
    con.execute("CREATE TABLE work.welfare_input AS SELECT * FROM rows")
    score_surveyed(con, WEIGHTS)
    return dict(con.execute("SELECT household_id, welfare_score FROM work.survey_score").fetchall())


@pytest.mark.parametrize("variable", CODEBOOK_VARIABLES)
def test_score_falls_with_every_worse_codebook_code(variable: str) -> None:
    worst = WEIGHTS.codebook_worst[variable]
    rows = [{"household_id": f"H{code:02d}", variable: code} for code in range(1, worst + 1)]
    scores = _score_all(rows)
    ordered = [scores[f"H{code:02d}"] for code in range(1, worst + 1)]
    assert all(a > b for a, b in itertools.pairwise(ordered)), (variable, ordered)


@pytest.mark.parametrize(
    ("variable", "values"),
    [
        ("luas_lantai_m2", [10.0, 30.0, 60.0, 120.0]),
        ("daya_listrik_va", [0, 450, 900, 1300, 2200, 3500]),
        ("aset_lahan_m2", [0.0, 100.0, 1000.0, 5000.0]),
        ("education_level", [0, 2, 4, 6]),
        ("employment_share", [0.0, 0.5, 1.0]),
        *(
            (asset, [False, True])
            for asset in ("aset_motor", "aset_mobil", "aset_kulkas", "aset_ac", "aset_tv", "aset_emas")
        ),
    ],
)
def test_score_rises_with_more_of_every_good(variable: str, values: list) -> None:
    scores = _score_all([{"household_id": f"H{i}", variable: v} for i, v in enumerate(values)])
    ordered = [scores[f"H{i}"] for i in range(len(values))]
    assert all(a < b for a, b in itertools.pairwise(ordered)), (variable, ordered)


def test_score_falls_with_more_dependants_and_more_members() -> None:
    dependants = _score_all([{"household_id": f"H{d}", "dependants": d} for d in range(4)])
    assert [dependants[f"H{d}"] for d in range(4)] == sorted(dependants.values(), reverse=True)
    sizes = _score_all(
        [{"household_id": f"H{n}", "jumlah_anggota": n, "dependants": 0} for n in (1, 2, 4, 7)]
    )
    assert [sizes[f"H{n}"] for n in (1, 2, 4, 7)] == sorted(sizes.values(), reverse=True)
    assert len(set(sizes.values())) == 4


codes = st.fixed_dictionaries({v: st.integers(1, WEIGHTS.codebook_worst[v]) for v in CODEBOOK_VARIABLES})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=codes, variable=st.sampled_from(CODEBOOK_VARIABLES), data=st.data())
def test_any_household_scores_lower_with_a_worse_code(base: dict, variable: str, data: st.DataObject) -> None:
    worst = WEIGHTS.codebook_worst[variable]
    better = data.draw(st.integers(1, worst - 1))
    worse = data.draw(st.integers(better + 1, worst))
    scores = _score_all(
        [
            {"household_id": "better", **base, variable: better},
            {"household_id": "worse", **base, variable: worse},
        ]
    )
    assert scores["better"] > scores["worse"]
    assert all(0.0 <= s <= 100.0 for s in scores.values())


def test_a_missing_variable_is_left_out_not_counted_as_poor() -> None:
    scores = _score_all(
        [{"household_id": "known"}, {"household_id": "unknown_floor", "luas_lantai_m2": None}]
    )
    # The middle household's floor area is middling: leaving it out moves the score only a little.
    assert abs(scores["known"] - scores["unknown_floor"]) < 5


def _rank(path: Path, world: World, weights=WEIGHTS) -> list[tuple]:
    with warehouse.connect(path) as con:
        world.write(con, "run-1")
        build_survivors(con)
        build_welfare(con, weights)
        return con.execute(
            "SELECT household_id, kode_provinsi, kode_kabupaten, jumlah_anggota, welfare_score, welfare_source, "
            "desil_nasional, desil_provinsi, desil_kabupaten, welfare_detail FROM work.household_welfare "
            "ORDER BY household_id"
        ).fetchall()


def test_deciles_are_ten_equal_groups_nationally_and_per_province(world: World, warehouse_path: Path) -> None:
    regions = ["3201012001", "3201022002", "3301012001", "5101012001"]
    surveys = [POOR_SURVEY, MIDDLE_SURVEY, RICH_SURVEY]
    for i in range(73):
        household = world.household(
            kode_wilayah=regions[i % 4],
            survey=surveys[i % 3] | {"luas_lantai_m2": 20.0 + i},
        )
        household.person(f"ORANG {i}", date(1980, 1, 1 + i % 28))
    ranked = _rank(warehouse_path, world)
    national = Counter(r[6] for r in ranked)
    assert set(national) == set(range(1, 11))
    assert max(national.values()) - min(national.values()) <= 1
    for level, column in (("provinsi", 1), ("kabupaten", 2)):
        for code in {r[column] for r in ranked}:
            sizes = Counter(r[7 if level == "provinsi" else 8] for r in ranked if r[column] == code)
            counts = [sizes.get(d, 0) for d in range(1, 11)]
            assert max(counts) - min(counts) <= 1, (level, code, counts)
    # Deciles follow the score: every household of a lower decile scores at most any of a higher one.
    for decile in range(1, 10):
        assert max(r[4] for r in ranked if r[6] == decile) <= min(r[4] for r in ranked if r[6] == decile + 1)


def test_equal_scores_are_split_by_household_id_deterministically(world: World, warehouse_path: Path) -> None:
    for i in range(20):
        world.household(survey=MIDDLE_SURVEY).person(f"SAMA {i}", date(1980, 1, 1))
    ranked = _rank(warehouse_path, world)
    assert len({r[4] for r in ranked}) == 1
    assert [r[6] for r in ranked] == [d for d in range(1, 11) for _ in range(2)]


def test_households_without_survey_are_imputed_from_what_is_known_and_flagged(
    world: World, warehouse_path: Path
) -> None:
    weights = dataclasses.replace(WEIGHTS, min_cell_households=2)
    for i, survey in enumerate((POOR_SURVEY, POOR_SURVEY | {"luas_lantai_m2": 25.0})):
        world.household(survey=survey, p3ke={"desil": 1}).person(f"MISKIN {i}", date(1980, 1, 1))
    for i in range(3):
        world.household(survey=RICH_SURVEY).person(f"KAYA {i}", date(1970, 1, 1))
    listed = world.household(p3ke={"desil": 1})
    listed.person("TANPA SURVEI", date(1985, 1, 1))
    unknown = world.household()
    unknown.person("HANYA DUKCAPIL", date(1985, 1, 1))
    ranked = {r[0]: r for r in _rank(warehouse_path, world, weights)}
    poor_scores = sorted(ranked[h.household_id][4] for h in world.households[:2])
    imputed = ranked[listed.household_id]
    assert imputed[5] == "p3ke_desil"
    assert imputed[4] == pytest.approx((poor_scores[0] + poor_scores[1]) / 2, abs=1e-3)
    assert "median survey score of 2 surveyed households with evidence p3ke_desil_1 and size 1" in imputed[9]
    assert ranked[unknown.household_id][5] == "household_size"
    assert ranked[world.households[0].household_id][5] == "regsosek"


def test_a_split_off_family_keeps_the_survey_its_members_were_enumerated_in(
    world: World, warehouse_path: Path
) -> None:
    parents = world.household(survey=POOR_SURVEY)
    parents.person("AYAH", date(1960, 1, 1), hubungan=1)
    parents.person("IBU", date(1962, 1, 1), "P", hubungan=2)
    parents.person("ADIK", date(2005, 1, 1), hubungan=3)
    couple = world.household()  # a new KK in Dukcapil: the agencies still list them with the parents
    son = parents.person("ANAK", date(1995, 1, 1), hubungan=3)
    wife = parents.person("MENANTU", date(1996, 1, 1), "P", hubungan=4)
    world.move_person(son, couple)
    world.move_person(wife, couple)
    ranked = {r[0]: r for r in _rank(warehouse_path, world)}
    assert ranked[parents.household_id][5] == "regsosek"
    assert ranked[couple.household_id][5] == "regsosek_members"
    assert ranked[couple.household_id][3] == 2


def test_dead_members_are_not_counted_and_an_all_dead_household_is_not_ranked(
    world: World, warehouse_path: Path
) -> None:
    family = world.household(survey=MIDDLE_SURVEY)
    family.person("HIDUP", date(1980, 1, 1))
    family.person("MENINGGAL", date(1940, 1, 1), alive=False, died=date(2026, 3, 1))
    gone = world.household(survey=POOR_SURVEY)
    gone.person("SEMUA MENINGGAL", date(1930, 1, 1), alive=False, died=date(2025, 3, 1))
    alone = world.household(survey=MIDDLE_SURVEY)
    alone.person("SENDIRI", date(1980, 1, 1))
    ranked = {r[0]: r for r in _rank(warehouse_path, world)}
    assert ranked[family.household_id][3] == 1
    # Same survey, same one living member: the dead member changes nothing in the score.
    assert ranked[family.household_id][4] == ranked[alone.household_id][4]
    assert ranked[gone.household_id][3] == 0
    assert ranked[gone.household_id][4] is None
    assert ranked[gone.household_id][6] is None
    assert ranked[gone.household_id][5] == "no_living_member"


def test_ages_are_taken_on_the_latest_drop_date_not_on_a_date_inside_a_record(
    world: World, warehouse_path: Path
) -> None:
    world.household(survey=MIDDLE_SURVEY, dtks={}).person("ANAK", date(2015, 1, 1))
    with warehouse.connect(warehouse_path) as con:
        world.write(con, "run-1")
        con.execute("UPDATE work.person_record SET observed_at = DATE '2099-01-01' WHERE source = 'dtks'")
        assert reference_date(con) == date(2026, 11, 20)  # the Dukcapil full, the latest drop of the records
        build_survivors(con)
        build_welfare(con)
        dependants = con.execute("SELECT dependants FROM work.household_welfare").fetchall()
    assert dependants == [(1,)]  # 11 years old on the drop date: a child, not an adult of 84
