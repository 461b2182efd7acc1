"""A drop as a whole: the good rows load (typed), the bad ones are quarantined with their rules, the threshold
rejects a drop whole, and the ledger accounts for every row."""

from __future__ import annotations

import datetime as dt

import pytest
from support.identities import nik
from support.work_area import VILLAGE, dtks_anggota, dtks_keluarga, run_gate

from assets.validate.invariants import file_accounts, ledger_mismatches, staged_rows_of_unapplied_drops
from sejahtera.drop_status import DropStatus
from sejahtera.rules import row_rules as rules


def _mixed_drop():
    keluarga = [
        dtks_keluarga("K1"),
        dtks_keluarga("K2", KODE_WILAYAH="3201019999"),  # quarantined: its members cascade
        dtks_keluarga("K3", PENERIMA_BPNT="Y", TGL_UPDATE="01-11-2026"),
        dtks_keluarga("K4", TGL_UPDATE="31-11-2026", ALAMAT="X\x1bY"),  # two rules in one row
    ]
    anggota = [
        dtks_anggota("A1", "K1", NIK=nik(serial=11)),
        dtks_anggota("A2", "K1", NIK=nik(sex="P", serial=12), JNS_KEL="PEREMPUAN", HUB_KEL="2"),
        dtks_anggota("A3", "K2", NIK=nik(serial=13)),
        dtks_anggota("A4", "K3", NIK=nik(serial=14), HUB_KEL="11"),
        dtks_anggota("A5", "K3", NIK=nik(serial=15), TGL_LAHIR="01-01-1890"),
        dtks_anggota("A6", "K4", NIK=nik(serial=16)),
        dtks_anggota("A7", "K3", NIK=nik(serial=17), TGL_LAHIR="05-06-2001", DISABILITAS="Y", HUB_KEL="3"),
    ]
    return keluarga, anggota


MIXED_DROP_QUARANTINE = {
    ("keluarga.csv", 2, rules.UNKNOWN_REGION_CODE),
    ("keluarga.csv", 4, rules.INVALID_DATE),
    ("keluarga.csv", 4, rules.CONTROL_CHARACTER),
    ("anggota.csv", 3, rules.MEMBER_WITHOUT_HOUSEHOLD),
    ("anggota.csv", 4, rules.CODE_NOT_IN_SET),
    ("anggota.csv", 5, rules.BIRTH_DATE_OUT_OF_RANGE),
    ("anggota.csv", 6, rules.MEMBER_WITHOUT_HOUSEHOLD),
}
"""What the gate quarantines of :func:`_mixed_drop`: (file, data row, broken rule)."""


def test_a_mixed_drop_loads_exactly_the_good_rows_and_quarantines_exactly_the_bad_ones(work_area):
    keluarga, anggota = _mixed_drop()
    work_area.add_drop("dtks", "20261115", {"keluarga": keluarga, "anggota": anggota})
    [verdict] = run_gate(work_area, max_share=0.9)

    assert work_area.quarantine() == MIXED_DROP_QUARANTINE
    assert work_area.query("SELECT id_keluarga FROM work.accepted_dtks_keluarga ORDER BY row_number") == [
        ("K1",),
        ("K3",),
    ]
    assert work_area.query("SELECT id_art FROM work.accepted_dtks_anggota ORDER BY row_number") == [
        ("A1",),
        ("A2",),
        ("A7",),
    ]
    # typed as docs/architecture.md says
    assert work_area.query(
        "SELECT penerima_pkh, penerima_bpnt, penerima_pbi, tgl_update, kode_wilayah, rt "
        "FROM work.accepted_dtks_keluarga WHERE id_keluarga = 'K3'"
    ) == [(True, True, True, dt.date(2026, 11, 1), VILLAGE, "001")]
    assert work_area.query(
        "SELECT jns_kel, tgl_lahir, hub_kel, disabilitas, nik FROM work.accepted_dtks_anggota WHERE id_art = 'A7'"
    ) == [("LAKI-LAKI", dt.date(2001, 6, 5), 3, True, nik(serial=17))]

    assert (verdict.status, verdict.rows_in, verdict.rows_loaded, verdict.rows_quarantined) == (
        DropStatus.APPLIED,
        11,
        5,
        6,
    )
    assert work_area.query(
        "SELECT status, reason, rows_in, rows_loaded, rows_quarantined, run_id FROM work.ledger"
    ) == [(DropStatus.APPLIED, None, 11, 5, 6, work_area.run_id)]
    assert work_area.query(
        "SELECT file, rows_in, rows_loaded, rows_quarantined FROM work.ledger_file ORDER BY file"
    ) == [("anggota.csv", 7, 3, 4), ("keluarga.csv", 4, 2, 2)]
    with work_area.connect(read_only=True) as con:
        accounts = file_accounts(con)
        assert ledger_mismatches(con, accounts) == []
        assert all(a.balanced for a in accounts) and len(accounts) == 2


def _drop_with_failures(total: int, failing: int) -> dict:
    keluarga = [
        dtks_keluarga(f"K{i}", TGL_UPDATE="31-02-2026" if i < failing else "01-02-2026") for i in range(total)
    ]
    return {"keluarga": keluarga, "anggota": []}


@pytest.mark.parametrize(
    ("failing", "status"),
    [
        (20, DropStatus.APPLIED),
        (21, DropStatus.REJECTED),
    ],  # 20 of 100 is the limit itself; one row more is above it
)
def test_the_threshold_rejects_a_drop_whole_just_above_the_configured_share(work_area, failing, status):
    work_area.add_drop("dtks", "20261115", _drop_with_failures(100, failing))
    work_area.add_drop("dtks", "20261116", _drop_with_failures(10, 0))
    verdicts = run_gate(work_area, max_share=0.20)
    assert [v.status for v in verdicts] == [status, DropStatus.APPLIED]
    loaded = work_area.query(
        "SELECT drop_id, count(*) FROM work.accepted_dtks_keluarga GROUP BY 1 ORDER BY 1"
    )
    ledger = work_area.query(
        "SELECT drop_id, status, reason, rows_in, rows_loaded, rows_quarantined FROM work.ledger"
    )
    if status == DropStatus.REJECTED:
        assert loaded == [("20261116", 10)]  # nothing of the rejected drop, all of the next one
        reason = ledger[0][2]
        assert reason.startswith("dtks.20261115: 21.0% of its rows (21 of 100, all files) break row rules")
        assert "more than the 20% allowed" in reason and "invalid_date 21" in reason
        assert ledger[0][3:] == (100, 0, 21)
        # the agency still learns which rows to fix
        assert work_area.query("SELECT count(*) FROM work.quarantine WHERE drop_id = '20261115'") == [(21,)]
    else:
        assert loaded == [("20261115", 80), ("20261116", 10)]
        assert ledger[0][1:] == (DropStatus.APPLIED, None, 100, 80, 20)
    with work_area.connect(read_only=True) as con:
        assert staged_rows_of_unapplied_drops(con) == []


def test_the_share_counts_rows_of_all_files_and_each_row_once(work_area):
    """3 of 10 rows fail (one row breaks two rules, one member cascades): 30 % > 20 %."""
    keluarga = [dtks_keluarga("K1"), dtks_keluarga("K2", TGL_UPDATE="31-02-2026", KODE_WILAYAH="0000000000")]
    keluarga += [dtks_keluarga(f"K{i}") for i in range(3, 6)]
    anggota = [dtks_anggota("A1", "K2")] + [
        dtks_anggota(f"A{i}", "K1", NIK=nik(serial=i)) for i in range(2, 6)
    ]
    anggota[-1]["HUB_KEL"] = "X"
    work_area.add_drop("dtks", "20261115", {"keluarga": keluarga, "anggota": anggota})
    [verdict] = run_gate(work_area, max_share=0.2)
    assert (verdict.status, verdict.rows_in, verdict.rows_quarantined) == (DropStatus.REJECTED, 10, 3)
    assert verdict.rule_rows == {
        rules.INVALID_DATE: 1,
        rules.UNKNOWN_REGION_CODE: 1,
        rules.MEMBER_WITHOUT_HOUSEHOLD: 1,
        rules.CODE_NOT_IN_SET: 1,
    }


def test_drops_extract_decided_are_in_the_ledger_untouched(work_area):
    work_area.add_drop("dtks", "20261101", {"keluarga": [dtks_keluarga("K1")]}, status="stale")
    work_area.add_drop("dtks", "20261115", {"keluarga": [dtks_keluarga("K1")], "anggota": []})
    run_gate(work_area)
    assert work_area.query("SELECT drop_id, status, rows_loaded FROM work.ledger ORDER BY drop_id") == [
        ("20261101", "stale", None),
        ("20261115", DropStatus.APPLIED, 1),
    ]
    # a stale drop's raw rows are never validated nor staged
    assert work_area.query("SELECT DISTINCT drop_id FROM work.accepted_dtks_keluarga") == [("20261115",)]


def test_big_files_are_validated_in_batches_with_the_same_outcome(work_area, monkeypatch):
    """Cross-row facts (repeats, households) span batches: they are computed over the drop before GX runs."""
    from assets.validate import gate

    monkeypatch.setattr(gate, "BATCH_ROWS", 3)
    keluarga, anggota = _mixed_drop()
    keluarga.append(dtks_keluarga("K1"))  # row 5 repeats row 1: another batch
    work_area.add_drop("dtks", "20261115", {"keluarga": keluarga, "anggota": anggota})
    [verdict] = run_gate(work_area, max_share=0.9)
    assert [v.label for v in verdict.validations] == [
        "dtks.20261115/keluarga.csv [rows 1-3]",
        "dtks.20261115/keluarga.csv [rows 4-5]",
        "dtks.20261115/anggota.csv [rows 1-3]",
        "dtks.20261115/anggota.csv [rows 4-6]",
        "dtks.20261115/anggota.csv [rows 7-7]",
    ]
    assert work_area.quarantine() == MIXED_DROP_QUARANTINE | {("keluarga.csv", 5, rules.DUPLICATE_RECORD_ID)}


def test_validating_again_in_the_same_run_gives_the_same_outcome(work_area):
    """A retried step starts from extract's verdicts, not from its own earlier ones."""
    keluarga, anggota = _mixed_drop()
    work_area.add_drop("dtks", "20261115", {"keluarga": keluarga, "anggota": anggota})
    work_area.add_drop("dtks", "20261116", _drop_with_failures(10, 7))
    tables = (
        "quarantine",
        "row_warning",
        "accepted_dtks_keluarga",
        "accepted_dtks_anggota",
        "ledger_file",
        "ledger",
    )

    def state():
        return {t: work_area.query(f"SELECT * EXCLUDE (processed_at) FROM work.{t} ORDER BY ALL") if t == "ledger"
                else work_area.query(f"SELECT * FROM work.{t} ORDER BY ALL") for t in tables}  # fmt: skip

    first = run_gate(work_area, max_share=0.6)
    before = state()
    second = run_gate(work_area, max_share=0.6)
    assert [(v.key, v.status) for v in first] == [
        ("dtks.20261115", DropStatus.APPLIED),
        ("dtks.20261116", DropStatus.REJECTED),
    ]
    assert [(v.key, v.status) for v in second] == [(v.key, v.status) for v in first]
    assert state() == before
