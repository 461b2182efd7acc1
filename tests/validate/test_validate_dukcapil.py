"""Dukcapil events: well-formed, and (other than LAHIR) about an NIK Dukcapil knows: in the current snapshot,
in this run's earlier applied drops, or born by a LAHIR event applied so far, including the same drop."""

from __future__ import annotations

from support.identities import nik
from support.work_area import dukcapil_person, event, run_gate

from assets.validate.snapshots import build_snapshots
from sejahtera import warehouse
from sejahtera.drop_status import DropStatus
from sejahtera.rules import row_rules as rules

KNOWN = nik(serial=1)
BABY = nik("2026-11-20", serial=7)
STRANGER = nik(serial=9)


def _full(area, drop_id="20261120", people=None):
    area.add_drop("dukcapil", drop_id, {"penduduk": people or [dukcapil_person(KNOWN)]})


def _delta(area, drop_id, events):
    area.add_drop("dukcapil", drop_id, {"peristiwa": events}, kind="delta")


def test_events_for_unknown_niks_are_quarantined_except_births(work_area):
    _full(work_area)
    _delta(
        work_area,
        "20261121",
        [
            event("E1", "MATI", KNOWN),
            event("E2", "PINDAH", STRANGER, kode_wilayah="3273011001"),
            event("E3", "UBAH_DATA", "", nama_lengkap="X"),
            event("E4", "LAHIR", BABY, tanggal_lahir="2026-11-20", jenis_kelamin="LAKI-LAKI"),
        ],
    )
    verdicts = run_gate(work_area, max_share=1.0)
    assert [v.status for v in verdicts] == [DropStatus.APPLIED, DropStatus.APPLIED]
    assert work_area.quarantine() == {
        ("peristiwa.csv", 2, rules.UNKNOWN_NIK_EVENT),
        ("peristiwa.csv", 3, rules.UNKNOWN_NIK_EVENT),
    }
    details = dict(work_area.query("SELECT row_number, detail FROM work.quarantine"))
    assert details == {
        2: "PINDAH event for NIK 3201********0009, which Dukcapil does not know",
        3: "UBAH_DATA event for a blank NIK, which Dukcapil does not know",
    }
    assert work_area.query("SELECT source_record_id FROM work.quarantine ORDER BY row_number") == [
        ("E2",),
        ("E3",),
    ]


def test_lahir_then_mati_in_one_drop_and_across_drops_of_one_run(work_area):
    _full(work_area)
    _delta(
        work_area,
        "20261121",
        [
            event("E1", "MATI", BABY, tanggal_peristiwa="2026-11-22"),
            event("E2", "LAHIR", BABY, tanggal_lahir="2026-11-20"),
        ],
    )
    other = nik("2026-11-21", "P", serial=8)
    _delta(work_area, "20261122", [event("E3", "LAHIR", other, tanggal_lahir="2026-11-21")])
    _delta(
        work_area,
        "20261124",
        [event("E4", "MATI", other), event("E5", "PINDAH", BABY, kode_wilayah="3273011001")],
    )
    run_gate(work_area, max_share=1.0)
    assert work_area.quarantine() == set()


def _quarantined(area):
    return {tuple(r) for r in area.query("SELECT drop_id, row_number, rule FROM work.quarantine")}


def test_a_quarantined_birth_makes_no_one_known(work_area):
    _full(work_area)
    _delta(
        work_area,
        "20261121",
        [
            event(
                "E1", "LAHIR", BABY, tanggal_lahir="2026-02-30"
            ),  # not a real date: the birth is quarantined
            event("E2", "MATI", BABY),
            event("E3", "LAHIR", BABY, tanggal_lahir="2026-11-20", nama_lengkap="A\x07B"),  # quarantined too
        ],
    )
    _delta(work_area, "20261122", [event("E4", "PINDAH", BABY, kode_wilayah="3273011001")])
    run_gate(work_area, max_share=1.0)
    assert _quarantined(work_area) == {
        ("20261121", 1, rules.INVALID_DATE),
        ("20261121", 2, rules.UNKNOWN_NIK_EVENT),
        ("20261121", 3, rules.CONTROL_CHARACTER),
        ("20261122", 1, rules.UNKNOWN_NIK_EVENT),
    }


def test_births_of_a_rejected_delta_are_not_known_to_later_deltas(work_area):
    _full(work_area)
    _delta(work_area, "20261121", [event("E1", "LAHIR", BABY), event("E2", "MATI", STRANGER)])  # 50 % fail
    _delta(work_area, "20261122", [event("E3", "MATI", BABY), event("E4", "MATI", KNOWN)])
    verdicts = run_gate(work_area, max_share=0.2)
    assert [v.status for v in verdicts] == [DropStatus.APPLIED, DropStatus.REJECTED, DropStatus.REJECTED]
    assert _quarantined(work_area) == {
        ("20261121", 2, rules.UNKNOWN_NIK_EVENT),
        ("20261122", 1, rules.UNKNOWN_NIK_EVENT),
    }


def test_events_refer_to_the_published_snapshot_and_a_full_of_this_run_replaces_it(work_area):
    """Published: KNOWN and a LAHIR of BABY. This run: a new full without BABY, then a delta."""
    with warehouse.connect(work_area.path) as con:
        con.execute("CREATE SCHEMA snapshot")
        con.execute("CREATE TABLE snapshot.dukcapil_penduduk AS SELECT ? AS nik", [KNOWN])
        con.execute(
            "CREATE TABLE snapshot.dukcapil_peristiwa AS SELECT 'E0' AS id_peristiwa, 'LAHIR' AS jenis_peristiwa, ? AS nik",
            [BABY],
        )
    _delta(
        work_area,
        "20261121",
        [event("E1", "MATI", BABY), event("E2", "PINDAH", KNOWN, kode_wilayah="3273011001")],
    )
    _full(work_area, "20261123", [dukcapil_person(STRANGER)])
    _delta(work_area, "20261124", [event("E3", "MATI", KNOWN), event("E4", "MATI", STRANGER)])
    verdicts = run_gate(work_area, max_share=1.0)
    assert [v.status for v in verdicts] == [DropStatus.APPLIED, DropStatus.APPLIED, DropStatus.APPLIED]
    assert _quarantined(work_area) == {("20261124", 1, rules.UNKNOWN_NIK_EVENT)}


def test_malformed_events_are_quarantined(work_area):
    _full(work_area)
    _delta(
        work_area,
        "20261121",
        [
            event("E1", "", KNOWN),
            event("E2", "MENINGGAL", KNOWN),
            event("E3", "MATI", KNOWN, tanggal_peristiwa=""),
            event("E4", "MATI", KNOWN, tanggal_peristiwa="21-11-2026"),
            event("E5", "PINDAH", KNOWN, kode_wilayah="32.73.01.1001"),
            event("E6", "UBAH_DATA", KNOWN, jenis_kelamin="L", tanggal_lahir="1980-13-01"),
        ],
    )
    run_gate(work_area, max_share=1.0)
    assert _quarantined(work_area) == {
        ("20261121", 1, rules.CODE_NOT_IN_SET),
        ("20261121", 2, rules.CODE_NOT_IN_SET),
        ("20261121", 3, rules.INVALID_DATE),
        ("20261121", 4, rules.INVALID_DATE),
        ("20261121", 6, rules.CODE_NOT_IN_SET),
        ("20261121", 6, rules.INVALID_DATE),
    }
    details = dict(
        work_area.query("SELECT row_number, detail FROM work.quarantine WHERE rule = 'invalid_date'")
    )
    assert details[3] == "tanggal_peristiwa is blank"
    assert details[4] == "tanggal_peristiwa '21-11-2026' is not a real date written YYYY-MM-DD"
    assert details[6] == "tanggal_lahir is not a real date: month 13 does not exist"


def test_snapshot_events_follow_the_latest_full(work_area):
    _delta(work_area, "20261119", [event("E0", "LAHIR", BABY)])
    _full(work_area, "20261120", [dukcapil_person(KNOWN), dukcapil_person(BABY)])
    _delta(work_area, "20261121", [event("E1", "MATI", KNOWN)])
    _delta(work_area, "20261118", [event("E2", "MATI", BABY)])  # late delta, older drop_id: still applies
    run_gate(work_area, max_share=1.0)
    with warehouse.connect(work_area.path) as con:
        build_snapshots(con)
    assert (
        work_area.query("SELECT nik FROM work.snapshot_dukcapil_penduduk ORDER BY nik")
        == [(KNOWN,), (BABY,)][:: 1 if KNOWN < BABY else -1]
    )
    assert work_area.query(
        "SELECT drop_id, id_peristiwa FROM work.snapshot_dukcapil_peristiwa ORDER BY 1"
    ) == [
        ("20261118", "E2"),
        ("20261121", "E1"),
    ]
