"""Replaying Dukcapil's delta events on its full: births, deaths, moves, corrections, late and same-day events."""

from datetime import date

from support.duck import query
from support.identities import kk, nik
from support.snapshots import VILLAGE, VILLAGE_FAR, Snapshots

from assets.reconcile import standardise
from sejahtera import warehouse

HEAD = nik("1970-03-05", "L", 1)
WIFE = nik("1975-07-09", "P", 2)
BABY = nik("2026-11-21", "P", 3)


def _family() -> Snapshots:
    snaps = Snapshots()
    snaps.penduduk(HEAD, "BUDI SANTOSO", "L", "1970-03-05", kk(1))
    snaps.penduduk(WIFE, "SITI AMINAH", "P", "1975-07-09", kk(1))
    return snaps


def _replay(snaps: Snapshots, path) -> dict[str, tuple]:
    snaps.write(path)
    with warehouse.connect(path) as con:
        standardise.install_macros(con)
        standardise.build_dukcapil_person(con)
    rows = query(
        path,
        "SELECT nik, no_kk, nama_lengkap, jenis_kelamin, tanggal_lahir, kode_wilayah, alamat, status_hidup, "
        "tanggal_meninggal, drop_id, file, row_number FROM work.dukcapil_person",
    )
    return {r[0]: r[1:] for r in rows}


def test_a_full_without_events_is_the_population_with_sex_as_l_p(warehouse_path):
    people = _replay(_family(), warehouse_path)
    assert set(people) == {HEAD, WIFE}
    no_kk, nama, sex, dob, village, _, status, died, drop_id, file, row = people[HEAD]
    assert (no_kk, nama, sex, dob, village, status, died) == (
        kk(1),
        "BUDI SANTOSO",
        "L",
        date(1970, 3, 5),
        VILLAGE,
        "HIDUP",
        None,
    )
    assert (drop_id, file, row) == ("20261120", "penduduk.parquet", 1)
    assert people[WIFE][2] == "P"


def test_a_death_sets_status_and_date_and_the_drop_that_changed_the_person(warehouse_path):
    snaps = _family()
    snaps.event("E1", "MATI", "2026-11-20", HEAD, "20261121")
    people = _replay(snaps, warehouse_path)
    assert people[HEAD][6:10] == ("MATI", date(2026, 11, 20), "20261121", "peristiwa.csv")
    assert people[WIFE][6] == "HIDUP" and people[WIFE][8] == "20261120"


def test_a_birth_adds_a_person_to_the_family(warehouse_path):
    snaps = _family()
    snaps.event(
        "E1", "LAHIR", "2026-11-21", BABY, "20261122", no_kk=kk(1), nama_lengkap="PUTRI AYU",
        jenis_kelamin="P", tempat_lahir="BOGOR", tanggal_lahir="2026-11-21", kode_wilayah=VILLAGE, alamat="JL MAWAR 1",
    )  # fmt: skip
    people = _replay(snaps, warehouse_path)
    assert people[BABY][:6] == (kk(1), "PUTRI AYU", "P", date(2026, 11, 21), VILLAGE, "JL MAWAR 1")
    assert people[BABY][6] == "HIDUP"


def test_a_move_changes_place_and_kk_and_keeps_what_was_not_delivered(warehouse_path):
    snaps = _family()
    snaps.event("E1", "PINDAH", "2026-11-21", HEAD, "20261122", no_kk=kk(9), kode_wilayah=VILLAGE_FAR)
    people = _replay(snaps, warehouse_path)
    assert people[HEAD][:6] == (kk(9), "BUDI SANTOSO", "L", date(1970, 3, 5), VILLAGE_FAR, "JL MAWAR 1")


def test_a_correction_changes_only_the_fields_it_delivers(warehouse_path):
    snaps = _family()
    snaps.event("E1", "UBAH_DATA", "2026-11-21", WIFE, "20261122", nama_lengkap="SITI AMINAH RAHAYU")
    people = _replay(snaps, warehouse_path)
    assert people[WIFE][:5] == (kk(1), "SITI AMINAH RAHAYU", "P", date(1975, 7, 9), VILLAGE)


def test_a_late_delta_under_an_older_drop_id_applies_but_never_overrides_a_later_change(warehouse_path):
    snaps = _family()
    # Delivered first: a move dated 25 November. Delivered later, under an OLDER drop id: a move dated the 22nd
    # and a correction of the name dated the 22nd (nothing later changed the name, so it applies).
    snaps.event("E2", "PINDAH", "2026-11-25", HEAD, "20261126", no_kk=kk(7), kode_wilayah=VILLAGE_FAR)
    snaps.event("E1", "PINDAH", "2026-11-22", HEAD, "20261123", no_kk=kk(5), alamat="JL MELATI 2")
    snaps.event("E3", "UBAH_DATA", "2026-11-22", HEAD, "20261123", nama_lengkap="BUDI SANTOSA")
    people = _replay(snaps, warehouse_path)
    no_kk, nama, _, _, village, alamat, *_rest, drop_id, _, _ = people[HEAD]
    assert (no_kk, village) == (kk(7), VILLAGE_FAR)  # the later-dated move wins
    assert alamat == "JL MELATI 2"  # the late one's address: nothing later changed it
    assert nama == "BUDI SANTOSA"
    assert drop_id == "20261126"  # the drop of the last change in event order


def test_same_day_events_apply_in_drop_then_row_order(warehouse_path):
    snaps = _family()
    snaps.event("E1", "UBAH_DATA", "2026-11-21", WIFE, "20261122", nama_lengkap="SITI AMINA")
    snaps.event("E2", "UBAH_DATA", "2026-11-21", WIFE, "20261122", nama_lengkap="SITI AMINAH S")
    snaps.event("E3", "UBAH_DATA", "2026-11-21", HEAD, "20261123", alamat="JL KENANGA 3")
    snaps.event("E4", "UBAH_DATA", "2026-11-21", HEAD, "20261122", alamat="JL DAHLIA 4")
    people = _replay(snaps, warehouse_path)
    assert people[WIFE][1] == "SITI AMINAH S"  # row 2 after row 1 of the same drop
    assert people[HEAD][5] == "JL KENANGA 3"  # drop 20261123 after 20261122 on the same day


def test_an_event_for_an_nik_dukcapil_does_not_know_adds_nobody(warehouse_path):
    snaps = _family()
    snaps.event(
        "E1", "PINDAH", "2026-11-21", nik("1990-01-01", "L", 99), "20261122", kode_wilayah=VILLAGE_FAR
    )
    assert set(_replay(snaps, warehouse_path)) == {HEAD, WIFE}


def test_a_person_dead_in_the_full_stays_dead_with_the_full_s_date(warehouse_path):
    snaps = Snapshots()
    snaps.penduduk(
        HEAD, "BUDI SANTOSO", "L", "1970-03-05", kk(1), status_hidup="MATI", tanggal_meninggal="2024-02-02"
    )
    snaps.event("E1", "PINDAH", "2026-11-21", HEAD, "20261122", alamat="JL LAIN")
    people = _replay(snaps, warehouse_path)
    assert people[HEAD][6:8] == ("MATI", date(2024, 2, 2))


def test_a_late_delta_older_than_the_applied_full_never_overrides_it(warehouse_path):
    # The full of 1 December is Dukcapil's state on that day: every event of a delta extracted before it is in it,
    # and so is any later correction. A delta under an older drop id that arrives after that full is applied (the
    # ledger says so) but its events must not roll the full back.
    snaps = Snapshots()
    snaps.add(
        "snapshot_dukcapil_penduduk", drop_id="20261201", nik=WIFE, no_kk=kk(1),
        nama_lengkap="SITI AMINAH ZAHRA", jenis_kelamin="PEREMPUAN", tempat_lahir="BOGOR",
        tanggal_lahir="1975-07-09", kode_wilayah=VILLAGE, alamat="JL MAWAR 1", status_hidup="HIDUP",
    )  # fmt: skip
    snaps.event("E1", "UBAH_DATA", "2026-11-21", WIFE, "20261122", nama_lengkap="SITI AMINA")
    snaps.event("E2", "MATI", "2026-12-03", WIFE, "20261204")
    people = _replay(snaps, warehouse_path)
    assert people[WIFE][1] == "SITI AMINAH ZAHRA"
    # A delta after the full still applies.
    assert people[WIFE][6:9] == ("MATI", date(2026, 12, 3), "20261204")
