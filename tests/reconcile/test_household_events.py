"""Family events as agencies record them (issue 14): which registry household each agency record lands in.

One small town holds one family per event (Dukcapil's state after the event, agencies' records from before it,
in the snapshot tables' contract columns); reconcile runs once for the module, each test asserts one event.
"""

import dagster as dg
import pytest
from support.agency_drops import VILLAGE
from support.duck import query
from support.identities import kk, nik
from support.linked import household_of_nik, household_record
from support.snapshots import VILLAGE_FAR, reconcile, town

from assets.reconcile.checks import same_agency_twice, same_agency_twice_result
from sejahtera import warehouse
from sejahtera.privacy import mask_number


def _person(serial: int, dob: str, sex: str, name: str) -> tuple[str, str, str, str]:
    return nik(dob, sex, serial), name, sex, dob


# pecah KK: the parents keep KK 11; the married son, his wife and their child take KK 12.
PAK_HARTO = _person(101, "1955-02-11", "L", "HARTONO WIBISONO")
BU_HARTO = _person(102, "1958-07-19", "P", "SUMIYATI")
HARTO_SON = _person(103, "1982-03-05", "L", "BAMBANG HARTONO")
HARTO_SON_WIFE = _person(104, "1985-10-23", "P", "RATNA KUSUMAWATI")
HARTO_GRANDCHILD = _person(105, "2012-06-14", "P", "AYU LESTARI")
# The head dies and Dukcapil re-issues the KK to his widow (KK 22); he stays alone on KK 21. Their son had
# already split off with his own family (KK 23), so most of the record's members are in the son's KK.
PAK_DARMO = _person(111, "1950-01-30", "L", "SUDARMO PRAWIRO")
BU_DARMO = _person(112, "1953-12-02", "P", "PAINEM")
DARMO_SON = _person(113, "1978-08-08", "L", "JOKO SUSILO")
DARMO_SON_WIFE = _person(114, "1980-04-17", "P", "SRI MULYANI")
DARMO_GRANDSON = _person(115, "2005-11-09", "L", "EKO PRASETYO")
# A family that moved to another province: new KK 32 there; DTKS still shows KK 31 and the old village.
PAK_MARPAUNG = _person(121, "1970-05-05", "L", "TUMPAL MARPAUNG")
BU_MARPAUNG = _person(122, "1973-09-09", "P", "ROSMAULI SIAHAAN")
MARPAUNG_CHILD = _person(123, "2001-01-21", "L", "DAVID MARPAUNG")
# Two families in one house: Regsosek lists both under one household id; P3KE writes family B with A's KK.
PAK_ASEP = _person(131, "1968-03-03", "L", "ASEP SUNARYA")
BU_ASEP = _person(132, "1971-07-07", "P", "NENG KURNIASIH")
PAK_UJANG = _person(133, "1990-02-14", "L", "UJANG SOBANDI")
BU_UJANG = _person(134, "1993-05-25", "P", "EUIS KOMALASARI")
# A widowed mother who joined her daughter's family (KK 52); DTKS still lists her alone with her old KK 51.
MBAH_SUMI = _person(141, "1940-10-10", "P", "SUMIRAH")
PAK_WAWAN = _person(142, "1975-12-12", "L", "WAWAN SETIAWAN")
BU_WAWAN = _person(143, "1978-06-06", "P", "SITI AMINAH")
# A record listing only two of a family's five members.
PAK_NYOMAN = _person(151, "1966-04-04", "L", "I NYOMAN SUDARSANA")
BU_NYOMAN = _person(152, "1969-08-18", "P", "NI MADE SUARNI")
NYOMAN_CHILDREN = [
    _person(153, "1995-01-15", "L", "I WAYAN ADI"),
    _person(154, "1998-03-27", "P", "NI KADEK AYU"),
    _person(155, "2003-09-30", "L", "I KOMANG GEDE"),
]


def _penduduk(snaps, person, no_kk, village=VILLAGE, **kw):
    person_nik, name, sex, dob = person
    snaps.penduduk(person_nik, name, sex, dob, no_kk, village, **kw)


def _dtks(snaps, record, no_kk, members, village=VILLAGE):
    snaps.dtks_keluarga(record, no_kk, village)
    for i, (person, hub) in enumerate(members, start=1):
        person_nik, name, sex, dob = person
        snaps.dtks_anggota(f"{record}-{i}", record, person_nik, name, sex, dob, hub)


def _town():
    snaps = town()
    # pecah KK
    for p in (PAK_HARTO, BU_HARTO):
        _penduduk(snaps, p, kk(11))
    for p in (HARTO_SON, HARTO_SON_WIFE, HARTO_GRANDCHILD):
        _penduduk(snaps, p, kk(12))
    pre_split = [(PAK_HARTO, 1), (BU_HARTO, 2), (HARTO_SON, 3), (HARTO_SON_WIFE, 4), (HARTO_GRANDCHILD, 5)]
    _dtks(snaps, "SPLIT", kk(11), pre_split)
    snaps.regsosek_rt("R-SPLIT", None)
    for i, (person, hub) in enumerate(pre_split, start=1):
        person_nik, name, sex, dob = person
        if person is HARTO_SON_WIFE:  # the in-law agencies know least: no NIK, the old spelling of her name
            person_nik, name = None, "RATNA KOESOEMAWATI"
        snaps.regsosek_art(f"R-SPLIT-{i}", "R-SPLIT", person_nik, name, sex, dob, hub)
    # The son's family's own record, made after the split.
    _dtks(snaps, "SPLIT-CHILD", kk(12), [(HARTO_SON, 1), (HARTO_SON_WIFE, 2), (HARTO_GRANDCHILD, 3)])

    # Head dies, KK re-issued to the widow; the son's family had split off before.
    _penduduk(snaps, PAK_DARMO, kk(21), status_hidup="MATI", tanggal_meninggal="2025-03-01")
    _penduduk(snaps, BU_DARMO, kk(22))
    for p in (DARMO_SON, DARMO_SON_WIFE, DARMO_GRANDSON):
        _penduduk(snaps, p, kk(23))
    _dtks(
        snaps,
        "DEATH",
        kk(21),
        [(PAK_DARMO, 1), (BU_DARMO, 2), (DARMO_SON, 3), (DARMO_SON_WIFE, 4), (DARMO_GRANDSON, 5)],
    )

    # Moved to another province with a new KK.
    for p in (PAK_MARPAUNG, BU_MARPAUNG, MARPAUNG_CHILD):
        _penduduk(snaps, p, kk(32, "327301"), VILLAGE_FAR)
    _dtks(snaps, "MOVED", kk(31), [(PAK_MARPAUNG, 1), (BU_MARPAUNG, 2), (MARPAUNG_CHILD, 3)])

    # Two families, one house.
    for p in (PAK_ASEP, BU_ASEP):
        _penduduk(snaps, p, kk(41))
    for p in (PAK_UJANG, BU_UJANG):
        _penduduk(snaps, p, kk(42))
    snaps.regsosek_rt("R-HOUSE", kk(41))
    for i, (person, hub) in enumerate([(PAK_ASEP, 1), (BU_ASEP, 2), (PAK_UJANG, 7), (BU_UJANG, 7)], start=1):
        person_nik, name, sex, dob = person
        snaps.regsosek_art(f"R-HOUSE-{i}", "R-HOUSE", person_nik, name, sex, dob, hub)
    snaps.p3ke_keluarga("P-UJANG", kk(41))  # family B written with the house's KK
    for i, (person, hub) in enumerate([(PAK_UJANG, "Kepala Keluarga"), (BU_UJANG, "Istri")], start=1):
        person_nik, name, sex, dob = person
        snaps.p3ke_individu(f"P-UJANG-{i}", "P-UJANG", person_nik, name, sex, dob, hub)

    # A widowed parent joins her daughter's family.
    for p in (PAK_WAWAN, BU_WAWAN, MBAH_SUMI):
        _penduduk(snaps, p, kk(52))
    _dtks(snaps, "WIDOW", kk(51), [(MBAH_SUMI, 1)])
    _dtks(snaps, "WAWAN", kk(52), [(PAK_WAWAN, 1), (BU_WAWAN, 2)])

    # Only some members listed.
    for p in (PAK_NYOMAN, BU_NYOMAN, *NYOMAN_CHILDREN):
        _penduduk(snaps, p, kk(61))
    _dtks(snaps, "PARTIAL", None, [(PAK_NYOMAN, 1), (NYOMAN_CHILDREN[2], 3)])
    return snaps


@pytest.fixture(scope="module")
def town_path(tmp_path_factory, trained_model, linkage_config):
    path = _town().write(tmp_path_factory.mktemp("events") / "warehouse.duckdb")
    reconcile(path, trained_model, linkage_config)
    return path


def _household_of(path, person):
    return household_of_nik(path, person[0])


def _evidence(path, source, record):
    return query(
        path,
        "SELECT household_id, match_method, source_record_id_r, reason FROM work.link_evidence "
        "WHERE entity = 'household' AND source_l = ? AND source_record_id_l = ?",
        [source, record],
    )


def test_a_pre_split_record_goes_to_the_family_that_kept_its_head_and_kk(town_path):
    parents, child = _household_of(town_path, PAK_HARTO), _household_of(town_path, HARTO_SON)
    assert parents != child
    assert _household_of(town_path, HARTO_GRANDCHILD) == child
    # Three of its five listed members are now in the child's KK; the record still describes the parents.
    assert household_record(town_path, "dtks", "SPLIT") == (parents, "head", 1.0)
    assert household_record(town_path, "regsosek", "R-SPLIT") == (parents, "head", 1.0)
    assert household_record(town_path, "dtks", "SPLIT-CHILD") == (child, "head", 1.0)
    [(household, method, head_record, reason)] = _evidence(town_path, "dtks", "SPLIT")
    assert (household, method, head_record) == (parents, "head", "SPLIT-1")
    assert "2 of 5 listed members here" in reason and "same KK" in reason


def test_a_split_familys_in_law_recorded_without_nik_is_one_member_of_the_childs_family(town_path):
    child = _household_of(town_path, HARTO_SON)
    fragment = query(
        town_path,
        "SELECT p.household_id, r.person_id, r.match_method FROM work.person_record AS r "
        "JOIN work.person_resolved AS p USING (person_id) WHERE r.source = 'regsosek' AND r.source_record_id = ?",
        ["R-SPLIT-4"],
    )
    her = query(
        town_path,
        "SELECT person_id FROM work.person_record WHERE source = 'dukcapil' AND source_record_id = ?",
        [HARTO_SON_WIFE[0]],
    )
    assert fragment[0][:2] == (child, her[0][0])
    assert query(
        town_path, "SELECT members FROM work.household_resolved WHERE household_id = ?", [child]
    ) == [(3,)]


def test_a_dead_head_alone_on_the_old_kk_stays_with_the_widow(town_path):
    widow = _household_of(town_path, BU_DARMO)
    assert _household_of(town_path, PAK_DARMO) == widow
    assert _household_of(town_path, DARMO_SON) != widow
    assert household_record(town_path, "dtks", "DEATH") == (widow, "head", 1.0)
    [(method, reason)] = query(
        town_path,
        "SELECT e.match_method, e.reason FROM work.link_evidence AS e JOIN work.person_record AS r "
        "ON r.person_id = e.person_id AND r.source = 'dukcapil' WHERE e.entity = 'household_member' "
        "AND r.source_record_id = ?",
        [PAK_DARMO[0]],
    )
    assert method == "spouse" and "spouse" in reason


def test_a_family_that_moved_keeps_its_stale_record(town_path):
    family = _household_of(town_path, PAK_MARPAUNG)
    assert {_household_of(town_path, p) for p in (BU_MARPAUNG, MARPAUNG_CHILD)} == {family}
    assert household_record(town_path, "dtks", "MOVED") == (family, "head", 1.0)
    assert "another KK" in _evidence(town_path, "dtks", "MOVED")[0][3]
    assert query(
        town_path, "SELECT kode_wilayah FROM work.household_resolved WHERE household_id = ?", [family]
    ) == [(VILLAGE_FAR,)]


def test_two_families_in_one_house_or_under_one_kk_stay_two_households(town_path):
    host, lodger = _household_of(town_path, PAK_ASEP), _household_of(town_path, PAK_UJANG)
    assert host != lodger and _household_of(town_path, BU_UJANG) == lodger
    assert household_record(town_path, "regsosek", "R-HOUSE")[:2] == (host, "head")
    # P3KE wrote the lodgers' family with the host's KK: its head decides, not the KK.
    assert household_record(town_path, "p3ke", "P-UJANG")[:2] == (lodger, "head")
    assert "another KK" in _evidence(town_path, "p3ke", "P-UJANG")[0][3]


def test_a_widowed_parent_brings_her_old_record_to_her_childs_family(town_path):
    family = _household_of(town_path, PAK_WAWAN)
    assert _household_of(town_path, MBAH_SUMI) == family
    assert household_record(town_path, "dtks", "WIDOW") == (family, "head", 1.0)
    assert household_record(town_path, "dtks", "WAWAN") == (family, "head", 1.0)


def test_a_record_listing_only_some_members_links_to_the_whole_family(town_path):
    family = _household_of(town_path, PAK_NYOMAN)
    assert {_household_of(town_path, p) for p in (BU_NYOMAN, *NYOMAN_CHILDREN)} == {family}
    assert household_record(town_path, "dtks", "PARTIAL") == (family, "head", 1.0)
    assert query(
        town_path, "SELECT members FROM work.household_resolved WHERE household_id = ?", [family]
    ) == [(5,)]


def test_every_household_record_has_its_reason(town_path):
    missing = query(
        town_path,
        "SELECT count(*) FROM work.household_record AS h WHERE NOT EXISTS (SELECT 1 FROM work.link_evidence AS e "
        "WHERE e.entity = 'household' AND e.source_l = h.source AND e.source_record_id_l = h.source_record_id "
        "AND e.household_id = h.household_id AND e.reason IS NOT NULL)",
    )
    assert missing == [(0,)]


def test_two_records_of_one_agency_in_a_household_are_warned_about_masked(town_path):
    with warehouse.connect(town_path, read_only=True) as con:
        rows = same_agency_twice(con)
    result = same_agency_twice_result(rows)
    widow_family = _household_of(town_path, MBAH_SUMI)
    # The widow's old DTKS record and her daughter's family's own one: a real case, hence a warning.
    assert (widow_family, "dtks") in {(r[0], r[1]) for r in rows}
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["dtks households"].value == len([r for r in rows if r[1] == "dtks"])
    examples = result.metadata["examples"].value
    assert widow_family in examples and mask_number(kk(51)) in examples
    assert kk(51) not in examples and kk(52) not in examples
