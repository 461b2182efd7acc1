"""A landing zone written chunk by chunk reads as one: numbers and ids unique across chunks, row numbers and true
ids continuing, and what happens between families (moves to another province, pecah KK, retired region codes)
still happens. The contract and truth tests also run on ``chunked_zone`` (see conftest)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.generated_zone import CHUNKED_ZONE_CHUNK, read_drops, truth

from assets.extract.landing import scan
from pipelines.cli import main
from sejahtera.generate import generate_landing_zone
from sejahtera.generate.landing_zone import chunk_sizes
from sejahtera.generate.population import AreaEffects
from sejahtera.reference import region_table


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_households_are_cut_into_the_fewest_near_equal_chunks() -> None:
    assert chunk_sizes(10, 100) == [10]
    assert chunk_sizes(10, 4) == [4, 3, 3]
    assert chunk_sizes(1_000_000, 50_000) == [50_000] * 20
    for households, chunk in [(1, 1), (7, 2), (1201, 300), (99, 100)]:
        sizes = chunk_sizes(households, chunk)
        assert sum(sizes) == households and max(sizes) <= chunk and max(sizes) - min(sizes) <= 1
    with pytest.raises(ValueError, match="chunk_households"):
        generate_landing_zone(Path("unused"), 10, seed=1, chunk_households=0)


def test_same_seed_and_chunk_size_write_the_same_bytes_another_chunk_size_another_zone(
    tmp_path: Path,
) -> None:
    generate_landing_zone(tmp_path / "a", 240, seed=9, chunk_households=80)
    generate_landing_zone(tmp_path / "b", 240, seed=9, chunk_households=80)
    generate_landing_zone(tmp_path / "c", 240, seed=9, chunk_households=120)
    a, b, c = _tree(tmp_path / "a"), _tree(tmp_path / "b"), _tree(tmp_path / "c")
    assert a.keys() == b.keys() == c.keys()
    assert [name for name in a if a[name] != b[name]] == []
    assert a["dukcapil/20261120/penduduk.parquet"] != c["dukcapil/20261120/penduduk.parquet"]


def test_numbers_and_ids_stay_unique_across_chunks(chunked_zone: Path) -> None:
    persons = truth(chunked_zone, "persons")
    households = truth(chunked_zone, "households")
    assert persons["true_person_id"].tolist() == list(range(len(persons)))
    assert households["true_household_id"].tolist() == list(range(len(households)))
    assert persons["nik"].is_unique
    assert households["no_kk"].is_unique, "two families would share a family card"
    # Every record id is unique in its file, apart from the rows the truth says repeat an id on purpose.
    defects = truth(chunked_zone, "row_defects")
    repeated = defects[defects["rule"] == "duplicate_record_id"]
    for f in read_drops(chunked_zone):
        column = f.entity.record_id.name  # Dukcapil's penduduk is keyed by the NIK itself
        ids = pd.Series([r[column] for r in f.rows], dtype=object)
        ids = ids[ids.notna() & (ids != "")]
        planted = repeated[(repeated["source"] == f.source) & (repeated["file"] == f.name)]
        planted = planted[planted["drop_id"] == f.drop_id]
        assert ids.duplicated().sum() == len(planted), f"{f.source}/{f.drop_id}/{f.name}"


def test_every_chunk_has_its_people_in_every_drop(chunked_zone: Path) -> None:
    """Each chunk's families appear in every source: the last chunk's true ids are in each agency's records."""
    households = truth(chunked_zone, "households")
    last_chunk = (
        households["true_household_id"] >= households["true_household_id"].max() - CHUNKED_ZONE_CHUNK // 2
    )
    records = truth(chunked_zone, "household_records")
    for source in ("dtks", "regsosek", "p3ke"):
        mine = records[records["source"] == source]
        assert mine["true_household_id"].isin(households.loc[last_chunk, "true_household_id"]).any(), source


def test_moves_splits_and_retired_codes_still_happen(chunked_zone: Path) -> None:
    noise = truth(chunked_zone, "record_noise")
    assert {"moved", "split", "kk_reissued", "dead_listed"} <= set(noise["noise"])
    # Families surveyed by Regsosek in one province and living in another now.
    records = truth(chunked_zone, "household_records")
    regsosek = pd.read_parquet(chunked_zone / "regsosek" / "20260915" / "rumah_tangga.parquet")
    surveyed = records[records["source"] == "regsosek"].assign(then=regsosek["kode_desa"].str[:2].to_numpy())
    now = truth(chunked_zone, "households").set_index("true_household_id")["province"]
    assert (surveyed["then"] != surveyed["true_household_id"].map(now)).any()
    # Agencies still deliver some villages in codes only the 2022 decree has.
    table = region_table()
    villages = table[table["tingkat"] == "desa_kelurahan"]
    retired = set(villages.loc[villages["decree"] == "2022", "kode_digits"]) - set(
        villages.loc[villages["decree"] == "2025", "kode_digits"]
    )
    assert regsosek["kode_desa"].isin(retired).any()


def test_an_area_keeps_its_welfare_effect_in_every_chunk() -> None:
    """Neighbours generated in different chunks share their village's (and regency's) welfare effect; the first
    chunk draws one effect per area in sorted order, as the unchunked generator did."""
    effects = AreaEffects(0.1)
    rng = np.random.default_rng(1)
    first = effects.of(rng, pd.Series(["3201", "1101", "3201"]))
    assert first[0] == first[2]
    assert first[[1, 0]].tolist() == np.random.default_rng(1).normal(0, 0.1, 2).tolist()
    second = effects.of(rng, pd.Series(["9101", "1101", "3201"]))
    assert second[1:].tolist() == [first[1], first[0]]
    assert second[0] not in first


def test_the_command_line_takes_a_chunk_size(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["generate", "--out", str(tmp_path / "zone"), "--households", "40", "--seed", "8"]
    assert main([*argv, "--chunk-households", "20"]) == 0
    assert "(2 chunks)" in capsys.readouterr().out
    assert len(scan(tmp_path / "zone")) == 7
