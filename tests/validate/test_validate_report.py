"""The quality report: rows per rule and warning, per province and regency, named from the Kemendagri lists."""

from __future__ import annotations

from support.identities import nik
from support.work_area import OTHER_VILLAGE, VILLAGE, dtks_anggota, dtks_keluarga, run_gate

from assets.validate.report import build_report, report_markdown
from sejahtera import warehouse


def test_counts_per_rule_and_region_with_members_placed_by_their_household(work_area):
    keluarga = [
        dtks_keluarga("K1", KODE_WILAYAH=VILLAGE),  # Kab. Bogor
        dtks_keluarga("K2", KODE_WILAYAH=OTHER_VILLAGE, TGL_UPDATE="31-02-2026"),  # Kota Bandung
        dtks_keluarga("K3", KODE_WILAYAH="9999999999"),  # unknown region
    ]
    anggota = [
        dtks_anggota("A1", "K1", JNS_KEL="X", NIK=nik(serial=1)),
        dtks_anggota("A2", "K1", JNS_KEL="X", NIK=""),
        dtks_anggota("A3", "K2", NIK=nik(serial=3)),  # cascade, placed in Kota Bandung through K2
        dtks_anggota("A4", "K1", NIK=nik(serial=4)),
    ]
    work_area.add_drop("dtks", "20261115", {"keluarga": keluarga, "anggota": anggota})
    run_gate(work_area, max_share=1.0)
    with warehouse.connect(work_area.path) as con:
        build_report(con, work_area.run_id)
        markdown = report_markdown(con)
    rows = work_area.query(
        "SELECT entity, check_kind, name, kode_provinsi, kode_kabupaten, kabupaten, row_count "
        "FROM work.drop_report ORDER BY ALL"
    )
    bogor = next(r for r in rows if r[4] == "3201")[5]
    bandung = next(r for r in rows if r[4] == "3273")[5]
    assert "Bogor" in bogor and "Bandung" in bandung
    assert rows == sorted(
        [
            ("anggota", "rule", "code_not_in_set", "32", "3201", bogor, 2),
            ("anggota", "rule", "member_without_household", "32", "3273", bandung, 1),
            ("anggota", "warning", "nik_missing", "32", "3201", bogor, 1),
            ("keluarga", "rule", "invalid_date", "32", "3273", bandung, 1),
            ("keluarga", "rule", "unknown_region_code", None, None, None, 1),
        ]
    )
    assert "### dtks.20261115 (applied: 5 of 7 rows quarantined)" in markdown
    assert "| rule | code_not_in_set | 2 |" in markdown
    assert f"| {bogor} |" in markdown and "| unknown region |" in markdown
    assert "SITI" not in markdown and nik(serial=1) not in markdown
