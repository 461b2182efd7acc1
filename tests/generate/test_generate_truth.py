"""The ground truth tells the truth: every record is covered, every defect is real and every real defect is
listed, every noise label describes what the record really shows, and Dukcapil replayed gives the true state."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from support.generated_zone import expected_rules, read_drops, truth

from sejahtera.reference import region_codes
from sejahtera.rules import row_rules
from sejahtera.rules.nik import kk_problem, nik_problem


@pytest.mark.parametrize("zone", ["default_zone", "chunked_zone"])
def test_true_niks_and_kks_are_well_formed_and_niks_unique(zone: str, request: pytest.FixtureRequest) -> None:
    root = request.getfixturevalue(zone)
    districts = region_codes().districts
    persons = truth(root, "persons")
    assert persons["nik"].is_unique
    assert [n for n in persons["nik"] if nik_problem(n, districts) is not None] == []
    # Women's NIKs carry the day of birth + 40.
    day_code = persons["nik"].str[6:8].astype(int)
    assert ((day_code > 40) == (persons["sex"] == "P")).all()
    households = truth(root, "households")
    assert [k for k in households["no_kk"] if kk_problem(k, districts) is not None] == []


@pytest.mark.parametrize("zone", ["default_zone", "chunked_zone"])
def test_ground_truth_covers_every_record_once(zone: str, request: pytest.FixtureRequest) -> None:
    root = request.getfixturevalue(zone)
    people = truth(root, "person_records")
    households = truth(root, "household_records")
    persons = truth(root, "persons").set_index("true_person_id")
    for f in read_drops(root):
        if f.entity.role == "event":
            rows = [(i, r) for i, r in enumerate(f.rows, start=1) if r["jenis_peristiwa"] == "LAHIR"]
        else:
            rows = list(enumerate(f.rows, start=1))
        table = households if f.entity.role == "household" else people
        mine = table[
            (table["source"] == f.source) & (table["drop_id"] == f.drop_id) & (table["file"] == f.name)
        ]
        assert mine["row_number"].tolist() == [i for i, _ in rows], f"{f.source}/{f.name}"
        # A birth event's record is the person it creates, known by the NIK it gives them.
        column = "nik" if f.entity.role == "event" else f.entity.record_id.name
        expected_ids = [None if r[column] in ("", None) else str(r[column]) for _, r in rows]
        assert [None if pd.isna(x) else x for x in mine["source_record_id"]] == expected_ids
    assert people["true_person_id"].isin(persons.index).all()
    assert households["true_household_id"].isin(truth(root, "households")["true_household_id"]).all()
    # A person record's household is the person's current one.
    assert (
        people["true_household_id"].to_numpy()
        == persons.loc[people["true_person_id"], "true_household_id"].to_numpy()
    ).all()
    # Dukcapil's full lists everyone born before it, once.
    full = people[people["file"] == "penduduk.parquet"]
    lahir = people[people["file"] == "peristiwa.csv"]
    assert full["true_person_id"].is_unique
    assert set(full["true_person_id"]) | set(lahir["true_person_id"]) == set(persons.index)


@pytest.mark.parametrize("zone", ["default_zone", "noisy_zone", "chunked_zone"])
def test_row_defects_are_exactly_the_rows_that_break_the_contract_rules(
    zone: str, request: pytest.FixtureRequest
) -> None:
    root = request.getfixturevalue(zone)
    listed = truth(root, "row_defects")
    listed_set = set(
        listed[["source", "drop_id", "file", "row_number", "rule"]].itertuples(index=False, name=None)
    )
    assert len(listed_set) == len(listed), "a rule is listed twice for one row"
    computed = expected_rules(read_drops(root), date.today())
    assert sorted(listed_set - computed)[:5] == [], "listed defects the row does not have"
    assert sorted(computed - listed_set)[:5] == [], "defects the ground truth does not list"


def test_every_row_rule_occurs_and_no_drop_comes_near_rejection(noisy_zone: Path) -> None:
    defects = truth(noisy_zone, "row_defects")
    assert set(defects["rule"]) == set(row_rules.ALL)
    for f_source, f_drop in defects[["source", "drop_id"]].drop_duplicates().itertuples(index=False):
        rows = sum(len(f.rows) for f in read_drops(noisy_zone) if (f.source, f.drop_id) == (f_source, f_drop))
        failing = defects[(defects["source"] == f_source) & (defects["drop_id"] == f_drop)]
        share = failing[["file", "row_number"]].drop_duplicates().shape[0] / rows
        assert share < 0.2, f"{f_source}.{f_drop}: {share:.0%} of rows fail"


def _records_with_truth(root: Path) -> pd.DataFrame:
    """Agency person records with the true person's identity beside what the record says."""
    rows = []
    for f in read_drops(root):
        if f.entity.role != "person" or f.source == "dukcapil":
            continue
        names = {
            "dtks": ("NIK", "NAMA", "TGL_LAHIR", "%d-%m-%Y"),
            "p3ke": ("nik", "nama", "tanggal_lahir", "%d/%m/%Y"),
            "regsosek": ("nik", "nama", "tanggal_lahir", None),
        }
        nik, nama, born, fmt = names[f.source]
        for i, r in enumerate(f.rows, start=1):
            value = r[born]
            try:
                parsed = value if fmt is None else datetime.strptime(value, fmt).date()
            except ValueError:
                parsed = None
            rows.append((f.source, f.name, i, r[nik] or None, r[nama], parsed))
    records = pd.DataFrame(rows, columns=["source", "file", "row_number", "nik", "nama", "birth"])
    people = truth(root, "person_records")
    records = records.merge(
        people[["source", "file", "row_number", "true_person_id"]], on=["source", "file", "row_number"]
    )
    persons = truth(root, "persons").rename(columns={"nik": "true_nik"})
    return records.merge(persons, on="true_person_id")


def test_record_noise_labels_describe_the_records(noisy_zone: Path) -> None:
    districts = region_codes().districts
    all_records = _records_with_truth(noisy_zone)
    per_file = all_records.groupby(["file", "nik"]).size()
    # Rows with a defect may have the defect on top of the noise (a swapped date then typed 2062): judge the rest.
    defective = truth(noisy_zone, "row_defects")[["file", "row_number"]].drop_duplicates()
    records = all_records.merge(defective, on=["file", "row_number"], how="left", indicator=True)
    records = records[records.pop("_merge") == "left_only"]
    noise = truth(noisy_zone, "record_noise")
    labelled = records.merge(
        noise[["source", "file", "row_number", "noise"]], on=["source", "file", "row_number"], how="left"
    )
    by_label = {label: group for label, group in labelled.groupby("noise")}
    assert {"nik_typo", "nik_transposed", "nik_blank", "nik_placeholder", "nik_shared", "name_variant", "title",
            "name_format", "dob_swapped", "dob_year_off", "dead_listed", "moved", "split"} <= set(by_label)  # fmt: skip
    for r in by_label["nik_typo"].itertuples():
        assert sum(a != b for a, b in zip(r.nik, r.true_nik, strict=True)) == 1
    for r in by_label["nik_transposed"].itertuples():
        diff = [i for i, (a, b) in enumerate(zip(r.nik, r.true_nik, strict=True)) if a != b]
        assert len(diff) == 2 and diff[1] == diff[0] + 1 and sorted(r.nik) == sorted(r.true_nik)
    assert by_label["nik_blank"]["nik"].isna().all()
    # A placeholder is malformed, or one digit repeated (1111111111111111 can pass the syntax rule).
    assert all(
        nik_problem(n, districts) is not None or len(set(n)) == 1 for n in by_label["nik_placeholder"]["nik"]
    )
    # A shared NIK is another record's NIK in the same file (the head's, as that record carries it).
    assert all(
        r.nik != r.true_nik and per_file[r.file, r.nik] >= 2 for r in by_label["nik_shared"].itertuples()
    )
    # The in-law of a family that splits later is written with a blank NIK (and a respelt name).
    assert by_label["split_spouse_identity"]["nik"].isna().all()
    nik_labels = {"nik_typo", "nik_transposed", "nik_blank", "nik_placeholder", "nik_shared"}
    nik_labels.add("split_spouse_identity")
    untouched = labelled.groupby(["source", "file", "row_number"]).filter(
        lambda g: not (set(g["noise"].dropna()) & nik_labels)
    )
    assert (untouched["nik"] == untouched["true_nik"]).mean() > 0.999, (
        "records without NIK noise carry the true NIK"
    )
    for r in by_label["dob_swapped"].itertuples():
        if r.birth is not None:
            assert (r.birth.day, r.birth.month, r.birth.year) == (
                r.birth_date.month,
                r.birth_date.day,
                r.birth_date.year,
            )
    for r in by_label["dob_year_off"].itertuples():
        if r.birth is not None:
            assert abs(r.birth.year - r.birth_date.year) == 1 and (r.birth.month, r.birth.day) == (
                r.birth_date.month,
                r.birth_date.day,
            )
    assert not by_label["dead_listed"]["alive"].any()


@pytest.mark.parametrize("zone", ["default_zone", "chunked_zone"])
def test_replaying_dukcapil_gives_the_true_population(zone: str, request: pytest.FixtureRequest) -> None:
    """A plain replay of the full and the deltas' accepted events reproduces persons.parquet."""
    root = request.getfixturevalue(zone)
    files = read_drops(root)
    quarantined = {
        tuple(x)
        for x in truth(root, "row_defects")[["file", "drop_id", "row_number"]].itertuples(index=False)
    }
    state = {r["nik"]: dict(r) for f in files if f.entity.entity == "penduduk" for r in f.rows}
    events = [
        (r["tanggal_peristiwa"], f.drop_id, i, r)
        for f in files
        if f.entity.entity == "peristiwa"
        for i, r in enumerate(f.rows, start=1)
        if (f.name, f.drop_id, i) not in quarantined
    ]
    for _, _, _, e in sorted(events, key=lambda x: x[:3]):
        if e["jenis_peristiwa"] == "LAHIR":
            state[e["nik"]] = {"status_hidup": "HIDUP", "tanggal_meninggal": None}
        person = state[e["nik"]]
        if e["jenis_peristiwa"] == "MATI":
            person["status_hidup"] = "MATI"
            person["tanggal_meninggal"] = date.fromisoformat(e["tanggal_peristiwa"])
        for column in ("no_kk", "kode_wilayah", "nama_lengkap"):
            if e.get(column):
                person[column] = e[column]
        if e.get("tanggal_lahir"):
            person["tanggal_lahir"] = date.fromisoformat(e["tanggal_lahir"])
    persons = truth(root, "persons")
    assert set(state) == set(persons["nik"])
    for p in persons.itertuples():
        replayed = state[p.nik]
        assert replayed["status_hidup"] == ("HIDUP" if p.alive else "MATI")
        assert replayed["tanggal_meninggal"] == (None if p.alive else p.death_date)
        assert replayed["kode_wilayah"] == p.kode_wilayah
        assert replayed["tanggal_lahir"] == p.birth_date
    # The KK of a household's living members is the household's current KK.
    households = truth(root, "households").set_index("true_household_id")
    living = persons[persons["alive"]]
    kk = living["nik"].map(lambda n: state[n]["no_kk"])
    assert (kk.to_numpy() == households.loc[living["true_household_id"], "no_kk"].to_numpy()).all()


@pytest.mark.parametrize("zone", ["default_zone", "chunked_zone"])
def test_dukcapil_deltas_carry_every_kind_of_event(zone: str, request: pytest.FixtureRequest) -> None:
    root = request.getfixturevalue(zone)
    for f in read_drops(root):
        if f.entity.entity == "peristiwa":
            kinds = Counter(r["jenis_peristiwa"] for r in f.rows)
            assert {"LAHIR", "MATI", "PINDAH", "UBAH_DATA"} <= set(kinds), f.drop_id
            assert all(
                r["tanggal_peristiwa"] <= f"{f.drop_id[:4]}-{f.drop_id[4:6]}-{f.drop_id[6:]}"
                for r in f.rows
                if r["tanggal_peristiwa"][:2] == "20"
            )


def test_clean_zone_records_the_truth(clean_zone: Path) -> None:
    """NoiseConfig.none(): nothing to quarantine, and every agency record names its person exactly as Dukcapil does."""
    assert truth(clean_zone, "row_defects").empty
    # Life still happens (stale agency records), and Dukcapil still fills in a missing place of birth.
    life = {"dead_listed", "moved", "kk_reissued", "split", "birthplace_missing"}
    assert set(truth(clean_zone, "record_noise")["noise"]) <= life
    records = _records_with_truth(clean_zone)
    assert (records["nik"] == records["true_nik"]).all()
    assert (records["birth"] == records["birth_date"]).all()
    dukcapil_name = {
        r["nik"]: r["nama_lengkap"]
        for f in read_drops(clean_zone)
        if f.entity.entity == "penduduk"
        for r in f.rows
    }
    assert (records["nama"] == records["true_nik"].map(dukcapil_name)).all()


@pytest.mark.parametrize("zone", ["default_zone", "chunked_zone"])
def test_dukcapil_errors_are_labelled_and_corrected_by_a_later_event(
    zone: str, request: pytest.FixtureRequest
) -> None:
    root = request.getfixturevalue(zone)
    files = read_drops(root)
    full = {r["nik"]: r for f in files if f.entity.entity == "penduduk" for r in f.rows}
    fixes = {
        r["nik"]: r
        for f in files
        if f.entity.entity == "peristiwa"
        for r in f.rows
        if r["jenis_peristiwa"] == "UBAH_DATA" and r["id_peristiwa"]
    }
    noise = truth(root, "record_noise")
    labels = noise[noise["source"] == "dukcapil"]
    assert set(labels["noise"]) == {"corrected_later_name", "corrected_later_birth", "birthplace_missing"}
    column = {
        "corrected_later_name": "nama_lengkap",
        "corrected_later_birth": "tanggal_lahir",
        "birthplace_missing": "tempat_lahir",
    }
    for nik, label in zip(labels["source_record_id"], labels["noise"], strict=True):
        fix = fixes[nik][column[label]]
        assert fix, f"{label}: the correcting event sets {column[label]}"
        assert str(full[nik][column[label]]) != fix


@pytest.mark.parametrize("zone", ["default_zone", "chunked_zone"])
def test_a_household_record_belongs_to_the_family_that_kept_its_head(
    zone: str, request: pytest.FixtureRequest
) -> None:
    """A family keeps its identity through a split (the part with the head and the KK), a move and a new KK:
    a record's true household is its listed head's, even where most listed members now sit elsewhere."""
    root = request.getfixturevalue(zone)
    people = truth(root, "person_records")
    households = truth(root, "household_records")
    files = {(f.source, f.entity.role): f for f in read_drops(root) if f.source != "dukcapil"}
    relationship = {"dtks": "HUB_KEL", "regsosek": "hubungan_krt", "p3ke": "hubungan_keluarga"}
    outvoted = 0
    for source in ("dtks", "regsosek", "p3ke"):
        member_file = files[source, "person"]
        ref = member_file.entity.household_ref.name
        mine = people[people["source"] == source].set_index("row_number")["true_household_id"]
        rows = pd.DataFrame(
            {
                "ref": [r[ref] for r in member_file.rows],
                "head": [
                    str(r[relationship[source]]).strip().upper() in {"1", "KEPALA KELUARGA"}
                    for r in member_file.rows
                ],
                "now": mine.loc[range(1, len(member_file.rows) + 1)].to_numpy(),
            }
        )
        heads = (
            rows[rows["head"]].groupby("ref")["now"].agg(lambda s: s.iloc[0] if s.nunique() == 1 else None)
        )
        majority = rows.groupby("ref")["now"].agg(lambda s: s.value_counts().index[0])
        records = households[households["source"] == source].dropna(subset=["source_record_id"])
        headed = records[records["source_record_id"].map(heads).notna()]
        assert len(headed) > 0.9 * len(records)
        assert (
            headed["true_household_id"].to_numpy() == headed["source_record_id"].map(heads).to_numpy()
        ).all()
        outvoted += int((headed["true_household_id"] != headed["source_record_id"].map(majority)).sum())
    assert outvoted > 0, "some pre-split records describe the parents while most of their members left"
