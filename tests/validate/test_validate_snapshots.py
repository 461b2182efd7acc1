"""``source_snapshots``: published ``snapshot.*`` + this run's applied drops, typed, all eight tables."""

from __future__ import annotations

import datetime as dt

from support.identities import nik
from support.work_area import dtks_anggota, dtks_keluarga, dukcapil_person, event, run_gate

from assets.validate import PUBLICATIONS
from assets.validate.invariants import staged_rows_of_unapplied_drops
from assets.validate.snapshots import build_snapshots
from sejahtera import warehouse

SNAPSHOT_TYPES = {
    "dtks_keluarga": {"penerima_pkh": "BOOLEAN", "tgl_update": "DATE", "rt": "VARCHAR"},
    "dtks_anggota": {"tgl_lahir": "DATE", "hub_kel": "INTEGER", "disabilitas": "BOOLEAN"},
    "regsosek_rumah_tangga": {"jenis_lantai": "INTEGER", "aset_tv": "BOOLEAN", "luas_lantai_m2": "DOUBLE"},
    "regsosek_individu": {"jenis_kelamin": "INTEGER", "tanggal_lahir": "DATE", "bekerja": "BOOLEAN"},
    "p3ke_keluarga": {"desil_kesejahteraan": "INTEGER", "status_miskin_ekstrem": "BOOLEAN"},
    "p3ke_individu": {"tanggal_lahir": "DATE", "jenis_kelamin": "VARCHAR"},
    "dukcapil_penduduk": {"tanggal_lahir": "DATE", "tanggal_meninggal": "DATE", "nik": "VARCHAR"},
    "dukcapil_peristiwa": {"tanggal_peristiwa": "DATE", "tanggal_lahir": "DATE", "alamat": "VARCHAR"},
}


def _snapshots(area):
    with warehouse.connect(area.path) as con:
        build_snapshots(con)
        return staged_rows_of_unapplied_drops(con)


def _publish(area):
    with warehouse.connect(area.path) as con:
        warehouse.publish(con, PUBLICATIONS)


def test_first_run_starts_empty_and_all_eight_tables_exist_typed(work_area):
    work_area.add_drop(
        "dtks", "20261115", {"keluarga": [dtks_keluarga("K1")], "anggota": [dtks_anggota("A1", "K1")]}
    )
    run_gate(work_area)
    assert _snapshots(work_area) == []
    for table, types in SNAPSHOT_TYPES.items():
        described = dict((r[0], r[1]) for r in work_area.query(f"DESCRIBE work.snapshot_{table}"))
        assert list(described)[:4] == ["source", "drop_id", "file", "row_number"]
        assert {k: described[k] for k in types} == types
    assert work_area.query("SELECT count(*) FROM work.snapshot_dtks_anggota") == [(1,)]
    assert work_area.query("SELECT count(*) FROM work.snapshot_dukcapil_penduduk") == [(0,)]


def test_a_full_replaces_its_source_and_other_sources_keep_their_published_state(work_area):
    work_area.add_drop(
        "dtks", "20261015", {"keluarga": [dtks_keluarga("K1"), dtks_keluarga("K2")], "anggota": []}
    )
    work_area.add_drop("dukcapil", "20261020", {"penduduk": [dukcapil_person(nik(serial=1))]})
    run_gate(work_area)
    _snapshots(work_area)
    _publish(work_area)

    # the next run: a new area (same file), a newer dtks full, nothing from dukcapil
    from support.work_area import WorkArea

    nxt = WorkArea(work_area.path, run_id="test-run-0002")
    nxt.add_drop("dtks", "20261115", {"keluarga": [dtks_keluarga("K9", KODE_WILAYAH="x")], "anggota": []})
    nxt.add_drop("dtks", "20261116", {"keluarga": [dtks_keluarga("K3"), dtks_keluarga("K4")], "anggota": []})
    run_gate(nxt, max_share=0.2)
    assert _snapshots(nxt) == []
    assert nxt.query("SELECT drop_id, id_keluarga FROM work.snapshot_dtks_keluarga ORDER BY 2") == [
        ("20261116", "K3"),
        ("20261116", "K4"),
    ]
    assert nxt.query("SELECT drop_id, nik FROM work.snapshot_dukcapil_penduduk") == [
        ("20261020", nik(serial=1))
    ]


def test_deltas_add_events_and_a_full_drops_the_events_it_contains(work_area):
    work_area.add_drop("dukcapil", "20261120", {"penduduk": [dukcapil_person(nik(serial=1))]})
    work_area.add_drop(
        "dukcapil", "20261121", {"peristiwa": [event("E1", "MATI", nik(serial=1))]}, kind="delta"
    )
    run_gate(work_area)
    _snapshots(work_area)
    _publish(work_area)

    from support.work_area import WorkArea

    nxt = WorkArea(work_area.path, run_id="test-run-0002")
    nxt.add_drop("dukcapil", "20261122", {"peristiwa": [event("E2", "PINDAH", nik(serial=1))]}, kind="delta")
    run_gate(nxt)
    _snapshots(nxt)
    assert nxt.query(
        "SELECT id_peristiwa, tanggal_peristiwa FROM work.snapshot_dukcapil_peristiwa ORDER BY 1"
    ) == [
        ("E1", dt.date(2026, 11, 21)),
        ("E2", dt.date(2026, 11, 21)),
    ]
    _publish(nxt)

    last = WorkArea(work_area.path, run_id="test-run-0003")
    last.add_drop("dukcapil", "20261125", {"penduduk": [dukcapil_person(nik(serial=1), status_hidup="MATI")]})
    last.add_drop(
        "dukcapil", "20261126", {"peristiwa": [event("E3", "UBAH_DATA", nik(serial=1))]}, kind="delta"
    )
    run_gate(last)
    _snapshots(last)
    assert last.query("SELECT id_peristiwa FROM work.snapshot_dukcapil_peristiwa") == [("E3",)]
    assert last.query("SELECT drop_id, status_hidup FROM work.snapshot_dukcapil_penduduk") == [
        ("20261125", "MATI")
    ]


def test_rows_of_drops_not_applied_are_never_staged(work_area):
    work_area.add_drop("dtks", "20261115", {"keluarga": [dtks_keluarga("K1")], "anggota": []})
    run_gate(work_area)
    _snapshots(work_area)
    _publish(work_area)
    from support.work_area import WorkArea

    # the same drop id re-delivered with another manifest: extract rejects it; the published rows stay
    nxt = WorkArea(work_area.path, run_id="test-run-0002")
    nxt.add_drop("dtks", "20261115", {"keluarga": [dtks_keluarga("K1")], "anggota": []}, status="rejected")
    run_gate(nxt)
    assert _snapshots(nxt) == []
    assert nxt.query("SELECT drop_id, id_keluarga FROM work.snapshot_dtks_keluarga") == [("20261115", "K1")]
    # a row of a rejected drop that sneaks into the staging tables is caught
    with warehouse.connect(nxt.path) as con:
        con.execute(
            "INSERT INTO work.snapshot_dtks_keluarga (source, drop_id, file, row_number, id_keluarga) "
            "VALUES ('dtks', '20261115', 'keluarga.csv', 2, 'K2')"
        )
        assert staged_rows_of_unapplied_drops(con) == [("work.snapshot_dtks_keluarga", "dtks.20261115", 1)]
