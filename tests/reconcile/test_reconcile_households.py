"""Households formed from members: Dukcapil families, household-mates Dukcapil lacks, splits, deaths, moves."""

import pytest
from support.duck import query
from support.identities import kk, nik
from support.linked import household_of_nik, household_record
from support.snapshots import VILLAGE, VILLAGE_FAR, Snapshots, reconcile, town

FATHER = nik("1960-04-12", "L", 31)
MOTHER = nik("1963-09-03", "P", 32)
DAUGHTER = nik("1990-06-20", "P", 33)
SON = nik("1988-01-08", "L", 34)
SON_WIFE = nik("1990-02-02", "P", 35)


def _family(split: bool = False, mother_dead: bool = False) -> Snapshots:
    """Dukcapil: parents and daughter on KK 1; the son and his wife on KK 1 too, or on KK 2 after a split."""
    snaps = town()
    dead = {"status_hidup": "MATI", "tanggal_meninggal": "2025-05-05"} if mother_dead else {}
    snaps.penduduk(FATHER, "SLAMET RIYADI", "L", "1960-04-12", kk(1))
    snaps.penduduk(MOTHER, "SRI WAHYUNI", "P", "1963-09-03", kk(1), **dead)
    snaps.penduduk(DAUGHTER, "DEWI SARTIKA", "P", "1990-06-20", kk(1))
    son_kk = kk(2) if split else kk(1)
    snaps.penduduk(SON, "BAYU PRATAMA", "L", "1988-01-08", son_kk)
    snaps.penduduk(SON_WIFE, "ANISA RAHMA", "P", "1990-02-02", son_kk)
    return snaps


def _dtks_lists_everyone(snaps: Snapshots, household: str = "D1") -> None:
    """A stale DTKS keluarga listing all five (and it still shows the old KK)."""
    snaps.dtks_keluarga(household, kk(1))
    for i, (person_nik, nama, sex, dob, hub) in enumerate(
        [
            (FATHER, "SLAMET RIYADI", "L", "1960-04-12", 1),
            (MOTHER, "SRI WAHYUNI", "P", "1963-09-03", 2),
            (DAUGHTER, "DEWI SARTIKA", "P", "1990-06-20", 3),
            (SON, "BAYU PRATAMA", "L", "1988-01-08", 3),
            (SON_WIFE, "ANISA RAHMA", "P", "1990-02-02", 4),
        ]
    ):
        snaps.dtks_anggota(f"{household}-{i}", household, person_nik, nama, sex, dob, hub)


@pytest.fixture
def run(warehouse_path, trained_model, linkage_config):
    def _run(snaps):
        snaps.write(warehouse_path)
        reconcile(warehouse_path, trained_model, linkage_config)
        return warehouse_path

    return _run


def test_a_family_is_its_dukcapil_kk_with_living_and_dead_members(run):
    path = run(_family(mother_dead=True))
    households = {household_of_nik(path, n) for n in (FATHER, MOTHER, DAUGHTER, SON, SON_WIFE)}
    assert len(households) == 1
    household = households.pop()
    assert query(
        path,
        "SELECT no_kk, kode_wilayah, members, living_members FROM work.household_resolved WHERE household_id = ?",
        [household],
    ) == [(kk(1), VILLAGE, 5, 4)]


def test_a_stale_keluarga_that_split_links_to_the_part_that_kept_its_head(run):
    snaps = _family(split=True)
    _dtks_lists_everyone(snaps)
    path = run(snaps)
    parents, young_couple = household_of_nik(path, FATHER), household_of_nik(path, SON)
    assert parents != young_couple
    assert household_of_nik(path, SON_WIFE) == young_couple
    assert household_record(path, "dtks", "D1") == (parents, "head", 1.0)  # and 3 of its 5 members


def test_a_member_dukcapil_lacks_joins_the_family_of_the_household_mates(run):
    snaps = _family()
    _dtks_lists_everyone(snaps)
    snaps.dtks_anggota(
        "D1-9", "D1", None, "MBAH KARTO", "L", "1935-01-01", 6
    )  # a grandfather, never registered
    path = run(snaps)
    grandfather = query(
        path,
        "SELECT p.household_id, p.nik_status FROM work.person_resolved AS p "
        "JOIN work.person_record AS r USING (person_id) WHERE r.source_record_id = 'D1-9'",
    )
    assert grandfather == [(household_of_nik(path, FATHER), "missing")]


def test_a_household_dukcapil_does_not_know_is_formed_across_agencies(run):
    snaps = _family()
    # A couple Dukcapil does not know, listed by DTKS and Regsosek: one registry household, both records link.
    snaps.dtks_keluarga("D7", None, VILLAGE_FAR)
    snaps.dtks_anggota("D7-1", "D7", None, "YOHANES SITUMORANG", "L", "1975-03-03", 1)
    snaps.dtks_anggota("D7-2", "D7", None, "MARIA SIMANJUNTAK", "P", "1978-08-08", 2)
    snaps.regsosek_rt("R7", None, VILLAGE_FAR)
    snaps.regsosek_art("R7-1", "R7", None, "YOHANES SITUMORANG", "L", "1975-03-03", 1)
    snaps.regsosek_art("R7-2", "R7", None, "MARIA SIMANJUNTAK", "P", "1978-08-08", 2)
    path = run(snaps)
    dtks, regsosek = household_record(path, "dtks", "D7"), household_record(path, "regsosek", "R7")
    assert dtks[0] == regsosek[0]
    assert dtks[1:] == ("head", 1.0)
    assert dtks[0] != household_of_nik(path, FATHER)
    assert query(
        path,
        "SELECT basis, kode_wilayah, members FROM work.household_resolved WHERE household_id = ?",
        [dtks[0]],
    ) == [("agency_households", VILLAGE_FAR, 2)]


def test_a_household_record_without_members_links_by_kk_or_forms_a_household_of_its_own(run):
    snaps = _family()
    snaps.p3ke_keluarga("K1", kk(1))  # its members were all quarantined upstream
    snaps.p3ke_keluarga("K2", kk(77))
    # A family Dukcapil does not know, listed with its members by DTKS and without them by P3KE.
    snaps.dtks_keluarga("D8", kk(78), VILLAGE_FAR)
    snaps.dtks_anggota("D8-1", "D8", None, "PAIJO", "L", "1940-01-01", 1)
    snaps.p3ke_keluarga("K3", kk(78), VILLAGE_FAR)
    path = run(snaps)
    assert household_record(path, "p3ke", "K1") == (household_of_nik(path, FATHER), "no_kk", 1.0)
    assert household_record(path, "p3ke", "K3") == (household_record(path, "dtks", "D8")[0], "no_kk", 1.0)
    # Nothing is lost: a record nobody else knows is a household of its own (no member, so never ranked).
    own, method, probability = household_record(path, "p3ke", "K2")
    assert own is not None and (method, probability) == ("single_record", 1.0)
    assert own not in {household_record(path, "p3ke", k)[0] for k in ("K1", "K3")}


def test_every_person_has_a_household_and_every_household_members(run):
    snaps = _family(split=True)
    _dtks_lists_everyone(snaps)
    path = run(snaps)
    assert query(path, "SELECT count(*) FROM work.person_resolved WHERE household_id IS NULL") == [(0,)]
    assert query(
        path,
        "SELECT count(*) FROM work.household_resolved AS h WHERE NOT EXISTS "
        "(SELECT 1 FROM work.person_resolved AS p WHERE p.household_id = h.household_id)",
    ) == [(0,)]
