"""Stable ids: reruns, a new Dukcapil delta, moves, splits, and a counter that never hands an id out twice."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.duck import query
from support.identities import kk, nik
from support.snapshots import VILLAGE, VILLAGE_FAR, Snapshots, publish_ids, reconcile, town

from assets.reconcile import stable_ids
from sejahtera import warehouse

FATHER = nik("1960-04-12", "L", 41)
MOTHER = nik("1963-09-03", "P", 42)
SON = nik("1988-01-08", "L", 43)
SON_WIFE = nik("1990-02-02", "P", 44)
NEIGHBOUR = nik("1955-05-05", "L", 45)
BABY = nik("2026-11-21", "P", 46)


def _town() -> Snapshots:
    snaps = town()
    for person_nik, nama, sex, dob in [
        (FATHER, "SLAMET RIYADI", "L", "1960-04-12"),
        (MOTHER, "SRI WAHYUNI", "P", "1963-09-03"),
        (SON, "BAYU PRATAMA", "L", "1988-01-08"),
        (SON_WIFE, "ANISA RAHMA", "P", "1990-02-02"),
    ]:
        snaps.penduduk(person_nik, nama, sex, dob, kk(1))
    snaps.penduduk(NEIGHBOUR, "JOKO SUSILO", "L", "1955-05-05", kk(2))
    snaps.dtks_keluarga("D1", kk(1))
    snaps.dtks_anggota("D1-1", "D1", FATHER, "SLAMET RIYADI", "L", "1960-04-12", 1)
    snaps.dtks_anggota("D1-2", "D1", None, "SRI WAHYUNI", "P", "1963-09-03", 2)
    snaps.regsosek_rt("R2", kk(2))
    snaps.regsosek_art("R2-1", "R2", NEIGHBOUR, "JOKO SUSILO", "L", "1955-05-05", 1)
    snaps.regsosek_art("R2-2", "R2", None, "PAIJO", "L", "1940-01-01", 6)  # a lodger Dukcapil does not know
    return snaps


@pytest.fixture
def nightly(warehouse_path, trained_model, linkage_config):
    """Run the stage on the given snapshots as run ``run_id``, publish what the next run reads, return the ids."""

    def _nightly(snaps: Snapshots, run_id: str) -> dict[tuple[str, str], tuple[str, str]]:
        snaps.write(warehouse_path, run_id)
        reconcile(warehouse_path, trained_model, linkage_config)
        rows = query(
            warehouse_path,
            "SELECT r.source, r.source_record_id, r.person_id, p.household_id "
            "FROM work.person_record AS r JOIN work.person_resolved AS p USING (person_id)",
        )
        publish_ids(warehouse_path)
        return {(s, rec): (pid, hid) for s, rec, pid, hid in rows}

    return _nightly


def test_a_rerun_on_the_same_inputs_gives_the_same_ids(nightly, warehouse_path):
    first = nightly(_town(), "run-1")
    links_first = query(warehouse_path, "SELECT * FROM work.source_link ORDER BY ALL")
    second = nightly(_town(), "run-2")
    assert second == first
    assert query(warehouse_path, "SELECT * FROM work.source_link ORDER BY ALL") == links_first


def test_ids_survive_a_new_dukcapil_delta_with_a_birth_and_a_move(nightly):
    first = nightly(_town(), "run-1")
    snaps = _town()
    snaps.event(
        "E1", "LAHIR", "2026-11-21", BABY, "20261122", no_kk=kk(1), nama_lengkap="PUTRI AYU", jenis_kelamin="P",
        tempat_lahir="BOGOR", tanggal_lahir="2026-11-21", kode_wilayah=VILLAGE, alamat="JL MAWAR 1",
    )  # fmt: skip
    snaps.event("E2", "PINDAH", "2026-11-22", NEIGHBOUR, "20261123", no_kk=kk(9), kode_wilayah=VILLAGE_FAR)
    second = nightly(snaps, "run-2")
    for key, (person_id, household_id) in first.items():
        assert second[key] == (person_id, household_id), key  # the neighbour moved: same household id
    baby_person, baby_household = second[("dukcapil", BABY)]
    assert baby_person not in {p for p, _ in first.values()}
    assert int(baby_person[1:]) > max(int(p[1:]) for p, _ in first.values())
    assert baby_household == first[("dukcapil", FATHER)][1]


def test_the_larger_part_of_a_split_keeps_the_household_id(nightly):
    first = nightly(_town(), "run-1")
    snaps = _town()
    for event_id, person_nik in (("E1", SON), ("E2", SON_WIFE)):
        snaps.event(event_id, "PINDAH", "2026-11-21", person_nik, "20261122", no_kk=kk(3))
    second = nightly(snaps, "run-2")
    old = first[("dukcapil", FATHER)][1]
    assert second[("dukcapil", FATHER)][1] == old  # parents and the DTKS family: the larger part
    assert second[("dukcapil", MOTHER)][1] == old
    young = second[("dukcapil", SON)][1]
    assert young != old and second[("dukcapil", SON_WIFE)][1] == young
    assert int(young[1:]) > max(int(h[1:]) for _, h in first.values())


def test_new_ids_start_after_the_highest_id_ever_published(nightly, warehouse_path):
    nightly(_town(), "run-1")
    with warehouse.connect(warehouse_path) as con:
        con.execute("CREATE TABLE registry.person_history (person_id VARCHAR, household_id VARCHAR)")
        con.execute("INSERT INTO registry.person_history VALUES ('P000000500', 'H000000700')")
    snaps = _town()
    snaps.penduduk(BABY, "PUTRI AYU", "P", "2026-11-21", kk(5))
    second = nightly(snaps, "run-2")
    assert second[("dukcapil", BABY)] == ("P000000501", "H000000701")


def test_allocate_gives_each_old_id_to_the_entity_sharing_most_with_it():
    ids = stable_ids.allocate(
        "P",
        ["a", "b", "c", "d"],
        [("a", "P000000001", 1), ("b", "P000000001", 3), ("b", "P000000002", 1), ("c", "P000000002", 1)],
        highest_used=2,
    )
    assert ids == {"a": "P000000003", "b": "P000000001", "c": "P000000002", "d": "P000000004"}


@given(
    st.lists(st.integers(0, 30), min_size=1, max_size=30, unique=True),
    st.lists(st.tuples(st.integers(0, 30), st.integers(1, 40), st.integers(1, 5)), max_size=60),
)
def test_allocated_ids_are_unique_and_new_ones_above_the_highest(entities, claims):
    overlaps = [(e, stable_ids.format_id("H", old), n) for e, old, n in claims]
    ids = stable_ids.allocate("H", entities, overlaps, highest_used=40)
    assert set(ids) == set(entities)
    assert len(set(ids.values())) == len(entities)
    for entity, household_id in ids.items():
        claimed = {old for e, old, _ in overlaps if e == entity}
        assert household_id in claimed or int(household_id[1:]) > 40


def _rekeyed(snaps: Snapshots, prefix: str) -> Snapshots:
    """The same agency drops with every record id changed, as a new export of SIKS-NG or a new census may do."""
    for table, keys in (
        ("snapshot_dtks_keluarga", ("id_keluarga",)),
        ("snapshot_dtks_anggota", ("id_art", "id_keluarga")),
        ("snapshot_regsosek_rumah_tangga", ("id_rt",)),
        ("snapshot_regsosek_individu", ("id_art", "id_rt")),
    ):
        for row in snaps.rows[table]:
            row.update({k: prefix + row[k] for k in keys})
    return snaps


def test_ids_survive_a_new_full_that_rekeys_every_record(nightly):
    snaps = _town()
    # A family Dukcapil does not know: only its agency records carry its persons from one night to the next.
    snaps.dtks_keluarga("D7", kk(7), VILLAGE_FAR)
    snaps.dtks_anggota("D7-1", "D7", nik("1981-08-08", "L", 71), "TEGUH SANTOSO", "L", "1981-08-08", 1)
    snaps.dtks_anggota("D7-2", "D7", None, "RINA", "P", "1984-03-01", 2)
    first = nightly(snaps, "run-1")
    rekeyed = _rekeyed(_town(), "N")
    rekeyed.dtks_keluarga("ND7", kk(7), VILLAGE_FAR)
    rekeyed.dtks_anggota("ND7-1", "ND7", nik("1981-08-08", "L", 71), "TEGUH SANTOSO", "L", "1981-08-08", 1)
    rekeyed.dtks_anggota("ND7-2", "ND7", None, "RINA", "P", "1984-03-01", 2)
    second = nightly(rekeyed, "run-2")
    for (source, record), ids in first.items():
        key = (source, "N" + record if source in ("dtks", "regsosek") else record)
        assert second[key] == ids, key


def test_a_household_record_of_its_own_keeps_its_id(nightly, warehouse_path):
    def with_memberless_record() -> Snapshots:
        snaps = _town()
        snaps.p3ke_keluarga("K5", kk(55))  # no member listed, a KK nobody else holds
        return snaps

    def household_of_k5() -> str:
        rows = query(
            warehouse_path,
            "SELECT registry_id FROM work.source_link WHERE entity = 'household' AND source_record_id = 'K5'",
        )
        return rows[0][0]

    first = nightly(with_memberless_record(), "run-1")
    own = household_of_k5()
    assert own is not None and own not in {h for _, h in first.values()}
    second = nightly(with_memberless_record(), "run-2")
    assert household_of_k5() == own
    assert second == first


def test_when_a_person_s_records_part_the_id_stays_with_the_nik(nightly):
    first = nightly(_town(), "run-1")
    assert first[("dtks", "D1-1")] == first[("dukcapil", FATHER)]
    snaps = _town()
    # Dukcapil rewrote the father's identity (a wrong record merged into his NIK is split off); DTKS's record of
    # him no longer matches and becomes a person of its own. The registry id belongs with the NIK.
    for row in snaps.rows["snapshot_dukcapil_penduduk"]:
        if row["nik"] == FATHER:
            row.update(nama_lengkap="SUPRIYADI", tanggal_lahir="1958-12-30")
    second = nightly(snaps, "run-2")
    assert second[("dukcapil", FATHER)][0] == first[("dukcapil", FATHER)][0]
    assert second[("dtks", "D1-1")][0] != first[("dukcapil", FATHER)][0]
