"""The synthetic population looks like the one the pipeline will meet: who is covered by which agency, how
housing follows welfare, what names and places look like."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from support.generated_zone import DEFAULT_HOUSEHOLDS, read_drops, truth

from sejahtera.generate.regions import geography

CODEBOOK = (
    "jenis_lantai", "jenis_dinding", "jenis_atap", "sumber_air_minum", "fasilitas_bab",
    "sumber_penerangan", "bahan_bakar_memasak", "status_kepemilikan_rumah",
)  # fmt: skip
ASSETS = ("aset_motor", "aset_mobil", "aset_kulkas", "aset_ac", "aset_tv", "aset_emas")


def _spearman(a: pd.Series | np.ndarray, b: pd.Series | np.ndarray) -> float:
    return float(np.corrcoef(pd.Series(a).rank().to_numpy(), pd.Series(b).rank().to_numpy())[0, 1])


def test_each_agency_covers_its_share_of_families(default_zone: Path) -> None:
    records = truth(default_zone, "household_records")
    welfare = truth(default_zone, "households").set_index("true_household_id")["welfare"]
    share = records.groupby("source")["true_household_id"].nunique() / DEFAULT_HOUSEHOLDS
    assert 0.85 <= share["regsosek"] <= 0.95
    assert 0.34 <= share["dtks"] <= 0.46
    assert 0.11 <= share["p3ke"] <= 0.19
    # DTKS lists the poorer families, P3KE the poorest; Regsosek everyone alike (fuzzy, not a hard cut).
    rank = welfare.rank(pct=True)
    mean_rank = {s: rank.loc[g["true_household_id"].unique()].mean() for s, g in records.groupby("source")}
    assert mean_rank["p3ke"] < 0.16 < mean_rank["dtks"] < 0.32 < 0.45 < mean_rank["regsosek"] < 0.55
    dtks = set(records.loc[records["source"] == "dtks", "true_household_id"])
    assert rank.loc[sorted(dtks)].max() > 0.5, "targeting is fuzzy: some better-off families are listed"


def test_a_proxy_means_test_recovers_welfare_but_not_perfectly(default_zone: Path) -> None:
    """Least squares on the Regsosek variables ranks households like their true welfare (Spearman 0.8-0.9)."""
    rt = pq.read_table(default_zone / "regsosek" / "20260915" / "rumah_tangga.parquet").to_pandas()
    rt["row_number"] = np.arange(1, len(rt) + 1)
    records = truth(default_zone, "household_records")
    rt = rt.merge(
        records[records["source"] == "regsosek"][["row_number", "true_household_id"]], on="row_number"
    )
    defects = truth(default_zone, "row_defects")
    rt = rt[~rt["row_number"].isin(defects.loc[defects["file"] == "rumah_tangga.parquet", "row_number"])]
    welfare = (
        truth(default_zone, "households")
        .set_index("true_household_id")
        .loc[rt["true_household_id"], "welfare"]
    )
    columns = [np.ones(len(rt)), np.log(rt["luas_lantai_m2"]), np.log(rt["jumlah_art"].clip(lower=1)),
               np.log1p(rt["daya_listrik_va"]), np.log1p(rt["aset_lahan_m2"])]  # fmt: skip
    columns += [rt[a].astype(float) for a in ASSETS]
    columns += [(rt[c] == v).astype(float) for c in CODEBOOK for v in sorted(rt[c].unique())[1:]]
    x = np.column_stack(columns)
    beta, *_ = np.linalg.lstsq(x, welfare.to_numpy(), rcond=None)
    rho = _spearman(x @ beta, welfare)
    assert 0.78 <= rho <= 0.93, rho
    # Each housing code follows welfare the codebook's way: better off, lower code.
    for column in ("jenis_lantai", "jenis_dinding", "jenis_atap", "sumber_air_minum", "fasilitas_bab"):
        assert _spearman(rt[column], welfare) < -0.3, column
    assert _spearman(rt["daya_listrik_va"], welfare) > 0.3


def test_names_repeat_as_in_reality(default_zone: Path) -> None:
    dukcapil = next(f for f in read_drops(default_zone) if f.entity.entity == "penduduk")
    names = pd.Series([r["nama_lengkap"] for r in dukcapil.rows])
    tokens = pd.Series(" ".join(names).split()).value_counts()
    assert len(tokens) >= 300, "hundreds of distinct name tokens"
    assert {"SITI", "MUHAMMAD", "NUR", "SRI"} <= set(tokens.index[:40])
    words = names.str.split().str.len()
    assert (words <= 2).mean() > 0.8 and (words == 1).mean() > 0.15
    assert names.duplicated().mean() > 0.1, "many people share a full name"
    assert names.str.fullmatch(r"[A-Z][A-Z .']*").all()


def test_places_and_registration_districts(default_zone: Path) -> None:
    persons = truth(default_zone, "persons")
    geo = geography()
    households = truth(default_zone, "households")
    assert households["kode_wilayah"].isin(geo.valid_villages).all()
    assert households["kode_wilayah"].isin(set(geo.retired_villages)).any(), (
        "some families in retired 2022 codes"
    )
    java = households["province"].isin(["31", "32", "33", "34", "35", "36"]).mean()
    assert 0.45 < java < 0.65
    same_district = (persons["nik"].str[:6] == persons["kode_wilayah"].str[:6]).mean()
    assert 0.7 < same_district < 0.95, "most NIKs carry the family's district, not all"
    assert persons["nik"].str[:6].isin(set(geo.retired_districts)).any(), (
        "some NIKs carry a retired district code"
    )


def test_families_have_heads_and_realistic_ages(default_zone: Path) -> None:
    individu = pq.read_table(default_zone / "regsosek" / "20260915" / "individu.parquet").to_pandas()
    individu = individu[individu["hubungan_krt"].between(1, 8)]
    assert set(individu["hubungan_krt"]) == set(range(1, 9))
    heads = individu[individu["hubungan_krt"] == 1]
    assert heads["id_rt"].nunique() / individu["id_rt"].nunique() > 0.97
    age = (pd.Timestamp("2022-10-15") - pd.to_datetime(individu["tanggal_lahir"])).dt.days / 365.25
    plausible = age.between(0, 100)
    assert plausible.mean() > 0.99
    assert 3.2 < individu.groupby("id_rt").size().mean() < 4.8
    persons = truth(default_zone, "persons")
    assert 0.005 < (~persons["alive"]).mean() < 0.08
