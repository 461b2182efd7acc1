"""Person linkage on hand-made hard cases, with a Splink model trained for real (once per session)."""

import pytest
from support.duck import query
from support.identities import kk, nik
from support.snapshots import VILLAGE, VILLAGE_FAR, Snapshots, reconcile, town

# One family in Dukcapil: father, mother, two daughters (twins) and a son.
FATHER = nik("1968-04-12", "L", 11)
MOTHER = nik("1972-09-03", "P", 12)
TWIN_A = nik("1999-06-20", "P", 13)
TWIN_B = nik("1999-06-20", "P", 14)
SON = nik("2003-01-08", "L", 15)
FAMILY = [
    (FATHER, "AHMAD SURYADI", "L", "1968-04-12"),
    (MOTHER, "SITI AMINAH", "P", "1972-09-03"),
    (TWIN_A, "SITI RAHMAWATI", "P", "1999-06-20"),
    (TWIN_B, "SITI NURJANAH", "P", "1999-06-20"),
    (SON, "MUHAMMAD RIZKI", "L", "2003-01-08"),
]
# A neighbour family, to give the model people to tell apart.
NEIGHBOUR = nik("1965-02-14", "L", 21)
NEIGHBOUR_WIFE = nik("1970-11-30", "P", 22)


def _spine() -> Snapshots:
    """The family and the neighbours, in a small town (realistic name frequencies, a model's worth of others)."""
    snaps = town()
    for person_nik, nama, sex, dob in FAMILY:
        snaps.penduduk(person_nik, nama, sex, dob, kk(1))
    snaps.penduduk(NEIGHBOUR, "BAMBANG WIJAYA", "L", "1965-02-14", kk(2))
    snaps.penduduk(NEIGHBOUR_WIFE, "DEWI LESTARI", "P", "1970-11-30", kk(2))
    snaps.dtks_keluarga("D1", kk(1))
    snaps.regsosek_rt("R1", kk(1))
    snaps.p3ke_keluarga("K1", kk(1))
    return snaps


def _run(snaps, path, model, config) -> dict[tuple[str, str], tuple]:
    snaps.write(path)
    reconcile(path, model, config)
    rows = query(
        path,
        "SELECT r.source, r.source_record_id, r.person_id, r.match_method, r.match_probability, p.nik_status "
        "FROM work.person_record AS r JOIN work.person_resolved AS p USING (person_id)",
    )
    return {(r[0], r[1]): r[2:] for r in rows}


def _person_of(linked, source, record):
    return linked[(source, record)][0]


def _assert_one_person(linked, dukcapil_nik: str, *records: tuple[str, str]) -> str:
    """Every agency record given is linked to the person Dukcapil knows under ``dukcapil_nik``; returns that person."""
    person = _person_of(linked, "dukcapil", dukcapil_nik)
    assert {record: linked[record][0] for record in records} == dict.fromkeys(records, person)
    return person


@pytest.fixture
def run(warehouse_path, trained_model, linkage_config):
    return lambda snaps: _run(snaps, warehouse_path, trained_model, linkage_config)


def test_a_consistent_nik_links_deterministically(run):
    snaps = _spine()
    snaps.dtks_anggota("D1-1", "D1", FATHER, "H. Achmad Suryadi", "L", "1968-04-12", 1)
    linked = run(snaps)
    assert linked[("dtks", "D1-1")][:3] == (linked[("dukcapil", FATHER)][0], "nik_padan", 1.0)
    assert linked[("dukcapil", FATHER)][1:] == ("dukcapil", 1.0, "padan")


@pytest.mark.parametrize(
    "typo",
    [
        FATHER[:14] + "21",  # serial 0011 -> 0021: one digit off
        FATHER[:9] + FATHER[10] + FATHER[9] + FATHER[11:],  # two adjacent digits swapped
        None,  # blank
        "0000000000000000",  # placeholder
    ],
    ids=["one-digit-off", "transposed", "blank", "placeholder"],
)
def test_a_mistyped_or_missing_nik_links_probabilistically(run, typo):
    snaps = _spine()
    snaps.regsosek_art("R1-1", "R1", typo, "AHMAD SURYADI", "L", "1968-04-12", 1)
    linked = run(snaps)
    person, method, probability, status = linked[("regsosek", "R1-1")]
    assert person == _person_of(linked, "dukcapil", FATHER)
    assert method == "splink" and probability >= 0.95
    assert status == "padan"


def test_a_shared_nik_links_only_the_person_whose_identity_is_consistent(run):
    snaps = _spine()
    snaps.dtks_anggota("D1-1", "D1", FATHER, "AHMAD SURYADI", "L", "1968-04-12", 1)
    snaps.dtks_anggota(
        "D1-5", "D1", FATHER, "MUHAMMAD RIZKI", "L", "2003-01-08", 3
    )  # the son got his father's NIK
    linked = run(snaps)
    assert linked[("dtks", "D1-1")][:2] == (_person_of(linked, "dukcapil", FATHER), "nik_padan")
    son = linked[("dtks", "D1-5")]
    assert son[0] == _person_of(linked, "dukcapil", SON)
    assert son[1] == "splink"


def test_name_variants_titles_and_a_swapped_birth_date_still_link(run):
    snaps = _spine()
    snaps.p3ke_individu("K1-2", "K1", MOTHER, "Hj. Sitti Aminah, S.Pd", "P", "1972-03-09", "Istri")  # swapped
    snaps.p3ke_individu("K1-5", "K1", None, "MOCH. RIZKY", "L", "2003-01-08", "Anak")
    snaps.dtks_anggota("D1-2", "D1", None, "SITI AMINAH", "P", "1972-03-09", 2)
    linked = run(snaps)
    mother = _person_of(linked, "dukcapil", MOTHER)
    assert linked[("p3ke", "K1-2")][:2] == (mother, "nik_padan")  # consistent: day and month swapped
    assert linked[("dtks", "D1-2")][0] == mother
    assert linked[("p3ke", "K1-5")][0] == _person_of(linked, "dukcapil", SON)


def test_twins_and_relatives_sharing_a_first_name_stay_apart(run):
    snaps = _spine()
    snaps.regsosek_art("R1-3", "R1", None, "SITI RAHMAWATI", "P", "1999-06-20", 3)
    snaps.regsosek_art("R1-4", "R1", None, "SITI NURJANAH", "P", "1999-06-20", 3)
    snaps.regsosek_art("R1-2", "R1", None, "SITI AMINAH", "P", "1972-09-03", 2)
    linked = run(snaps)
    assert linked[("regsosek", "R1-3")][0] == _person_of(linked, "dukcapil", TWIN_A)
    assert linked[("regsosek", "R1-4")][0] == _person_of(linked, "dukcapil", TWIN_B)
    assert linked[("regsosek", "R1-2")][0] == _person_of(linked, "dukcapil", MOTHER)
    mine = [n for n, *_ in FAMILY] + [NEIGHBOUR, NEIGHBOUR_WIFE]
    assert len({_person_of(linked, "dukcapil", n) for n in mine}) == 7  # seven people in Dukcapil
    linked_mine = {
        v[0]
        for (s, r), v in linked.items()
        if r.startswith("R1-") or (s, r) in {("dukcapil", n) for n in mine}
    }
    assert len(linked_mine) == 7  # nobody merged


@pytest.mark.parametrize(("first", "second"), [("HASAN", "HUSEIN"), ("ANI", "ANA"), ("RINA", "RANI")])
def test_twins_listed_under_each_other_s_nik_link_to_their_own_records(run, first, second):
    # Twins' names often share their consonants (H-S-N, N, R-N): "alike" by the skeleton rule, and their birth
    # dates are equal, so each NIK looks consistent with the other twin too. The twin whose name it is wins.
    dob = "2012-07-07"
    sex = "P" if first in ("ANI", "RINA") else "L"
    one, two = nik(dob, sex, 31), nik(dob, sex, 32)
    snaps = _spine()
    snaps.penduduk(one, first, sex, dob, kk(1))
    snaps.penduduk(two, second, sex, dob, kk(1))
    snaps.regsosek_art("R1-6", "R1", two, first, sex, dob, 3)
    snaps.regsosek_art("R1-7", "R1", one, second, sex, dob, 3)
    linked = run(snaps)
    assert linked[("regsosek", "R1-6")][0] == _person_of(linked, "dukcapil", one)
    assert linked[("regsosek", "R1-7")][0] == _person_of(linked, "dukcapil", two)


@pytest.mark.parametrize("corrected", ["1968-04-13", "1968-04-21", "1968-05-12"])
def test_a_birth_date_dukcapil_corrected_since_the_agency_listed_it_still_links(run, corrected):
    # Dukcapil's UBAH_DATA fixed a typo in the father's birth date; the agencies still list the old one. Same
    # NIK, same name, same sex: the same man, not a second person counted twice in his family.
    snaps = Snapshots()
    snaps.rows = {t: [dict(r) for r in rows] for t, rows in _spine().rows.items()}
    for row in snaps.rows["snapshot_dukcapil_penduduk"]:
        if row["nik"] == FATHER:
            row["tanggal_lahir"] = corrected
    snaps.dtks_anggota("D1-1", "D1", FATHER, "AHMAD SURYADI", "L", "1968-04-12", 1)
    snaps.regsosek_art("R1-1", "R1", None, "AHMAD SURYADI", "L", "1968-04-12", 1)
    _assert_one_person(run(snaps), FATHER, ("dtks", "D1-1"), ("regsosek", "R1-1"))


def test_a_person_dukcapil_lacks_is_one_person_across_agencies(run):
    snaps = _spine()
    # A lodger Dukcapil does not know, in all three agencies, without NIK, spelled two ways.
    snaps.dtks_anggota("D1-9", "D1", None, "SUPARMAN", "L", "1980-05-17", 7)
    snaps.regsosek_art("R1-9", "R1", None, "SOEPARMAN", "L", "1980-05-17", 7)
    snaps.p3ke_individu("K1-9", "K1", None, "SUPARMAN", "L", "1980-05-17", "Famili Lain")
    linked = run(snaps)
    lodger = {linked[(s, r)][0] for s, r in (("dtks", "D1-9"), ("regsosek", "R1-9"), ("p3ke", "K1-9"))}
    assert len(lodger) == 1
    assert lodger.isdisjoint({_person_of(linked, "dukcapil", n) for n, *_ in FAMILY})
    assert linked[("dtks", "D1-9")][3] == "missing"


@pytest.mark.parametrize(
    ("delivered", "status"),
    [
        (nik("1980-05-17", "L", 99), "tidak_padan"),  # well-formed, Dukcapil does not hold it
        (FATHER, "tidak_padan"),  # well-formed, Dukcapil holds it for somebody else
        ("320101170580", "invalid"),  # malformed
        (None, "missing"),
    ],
)
def test_nik_status_of_a_person_only_one_agency_knows(run, delivered, status):
    snaps = _spine()
    snaps.dtks_keluarga("D9", kk(9), VILLAGE_FAR)
    snaps.dtks_anggota("D9-1", "D9", delivered, "JOKO WIDODO", "L", "1980-05-17", 1)
    linked = run(snaps)
    person, method, probability, nik_status = linked[("dtks", "D9-1")]
    # A person of its own: the record is the person for certain, and the link says so (no link without a probability).
    assert (method, probability, nik_status) == ("single_record", 1.0, status)
    assert person not in {_person_of(linked, "dukcapil", n) for n, *_ in FAMILY}


def test_the_best_nik_of_a_person_is_dukcapil_s(run, warehouse_path):
    snaps = _spine()
    snaps.regsosek_art("R1-1", "R1", FATHER[:14] + "21", "AHMAD SURYADI", "L", "1968-04-12", 1)
    run(snaps)
    rows = query(
        warehouse_path,
        "SELECT p.nik FROM work.person_resolved AS p JOIN work.person_record AS r USING (person_id) "
        "WHERE r.source_record_id = 'R1-1'",
    )
    assert rows == [(FATHER,)]


def test_every_link_is_explained_field_by_field(run, warehouse_path):
    snaps = _spine()
    snaps.dtks_anggota("D1-1", "D1", FATHER, "AHMAD SURYADI", "L", "1968-04-12", 1)
    snaps.regsosek_art("R1-1", "R1", None, "ACHMAD SURYADI", "L", "1968-04-12", 1)
    run(snaps)
    evidence = query(
        warehouse_path,
        "SELECT source_l, source_r, match_method, match_probability, nik, nama, tanggal_lahir, jenis_kelamin, "
        "keluarga_wilayah, nama_weight FROM work.link_evidence "
        "WHERE person_id = (SELECT person_id FROM work.person_record WHERE source_record_id = ?) "
        "ORDER BY match_method, source_l",
        [FATHER],
    )
    methods = {(e[0], e[1], e[2]) for e in evidence}
    assert ("dtks", "dukcapil", "nik_padan") in methods
    splink = [e for e in evidence if e[2] == "splink"]
    assert splink, "the regsosek record was linked by Splink"
    for e in splink:
        assert e[3] >= 0.95
        assert e[5] == "same name (variants folded)"
        assert e[6] == "same date"
        assert e[8] == "same family, same village"
        assert e[9] > 0


def test_a_person_record_of_one_source_never_joins_a_person_twice(run):
    snaps = _spine()
    # Two DTKS records of the father in two DTKS families (registered twice): one links, the other is not
    # merged into the same person unless the evidence is overwhelming, which it is here (same NIK, name, date).
    snaps.dtks_keluarga("D2", kk(3), VILLAGE)
    snaps.dtks_anggota("D1-1", "D1", FATHER, "AHMAD SURYADI", "L", "1968-04-12", 1)
    snaps.dtks_anggota("D2-1", "D2", FATHER, "AHMAD SURYADI", "L", "1968-04-12", 1)
    # The son, listed twice with a weak second record: never merged with himself on weak evidence.
    snaps.dtks_anggota("D1-5", "D1", SON, "MUHAMMAD RIZKI", "L", "2003-01-08", 3)
    snaps.dtks_anggota("D2-5", "D2", None, "RIZKI", "L", "2003-08-01", 3)
    linked = run(snaps)
    _assert_one_person(linked, FATHER, ("dtks", "D1-1"), ("dtks", "D2-1"))
    assert linked[("dtks", "D2-5")][0] != _person_of(linked, "dukcapil", SON)
