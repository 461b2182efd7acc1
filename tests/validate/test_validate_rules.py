"""Every row-rule family on small hand-made rows, and the benign oddities that must load.

Each test builds one drop in a tmp work area, runs the gate (real GX suites from ``expectations/``) and looks at
``work.quarantine``: which rows, which rules, what the detail says.
"""

from __future__ import annotations

import datetime as dt

import pytest
from validate_kit import (
    OTHER_VILLAGE,
    TODAY,
    VILLAGE,
    VILLAGE_DOTTED,
    dtks_anggota,
    dtks_keluarga,
    dukcapil_person,
    nik,
    retired_village,
    run_gate,
)

from sejahtera.rules import row_rules as rules


def _dtks(area, keluarga, anggota, drop_id="20261115"):
    area.add_drop("dtks", drop_id, {"keluarga": keluarga, "anggota": anggota})
    return run_gate(area, max_share=1.0)


def _p3ke_keluarga(id_, **over):
    row = {
        "id_keluarga_p3ke": id_,
        "no_kk": "3201010101200001",
        "kode_kemendagri": VILLAGE_DOTTED,
        "alamat": "KP. SUKAMAJU",
        "desil_kesejahteraan": "1",
        "status_miskin_ekstrem": "Ya",
        "penerima_program": "PKH;BPNT",
    }
    row.update(over)
    return row


def _p3ke_individu(id_, keluarga, **over):
    row = {
        "id_individu_p3ke": id_,
        "id_keluarga_p3ke": keluarga,
        "nik": nik(female=True),
        "nama": "SITI AMINAH",
        "jenis_kelamin": "P",
        "tanggal_lahir": "01/01/1980",
        "hubungan_keluarga": "Kepala Keluarga",
        "pekerjaan": "PETANI",
    }
    row.update(over)
    return row


def _regsosek_rt(id_, **over):
    row = {
        "id_rt": id_,
        "no_kk": "3201010101200001",
        "kode_desa": VILLAGE,
        "alamat": "KP. SUKAMAJU",
        "jumlah_art": 2,
        "luas_lantai_m2": 36.0,
        "jenis_lantai": 2,
        "jenis_dinding": 1,
        "jenis_atap": 2,
        "sumber_air_minum": 3,
        "fasilitas_bab": 1,
        "sumber_penerangan": 1,
        "bahan_bakar_memasak": 3,
        "status_kepemilikan_rumah": 1,
        "daya_listrik_va": 900,
        "aset_motor": True,
        "aset_mobil": False,
        "aset_kulkas": True,
        "aset_ac": False,
        "aset_tv": True,
        "aset_emas": False,
        "aset_lahan_m2": 0.0,
        "tanggal_pencacahan": dt.date(2026, 9, 1),
    }
    row.update(over)
    return row


def _regsosek_art(id_, rt, **over):
    row = {
        "id_art": id_,
        "id_rt": rt,
        "nik": nik(),
        "nama": "BUDI",
        "jenis_kelamin": 1,
        "tanggal_lahir": dt.date(1980, 1, 1),
        "hubungan_krt": 1,
        "status_kawin": 2,
        "pendidikan_tertinggi": 3,
        "bekerja": True,
        "disabilitas": False,
    }
    row.update(over)
    return row


def test_dates_that_do_not_exist_or_do_not_parse_are_invalid(work_area):
    keluarga = [
        dtks_keluarga("K1", TGL_UPDATE="31-02-2026"),
        dtks_keluarga("K2", TGL_UPDATE="2026-10-15"),
        dtks_keluarga("K3", TGL_UPDATE="00-05-2026"),
        dtks_keluarga("K4", TGL_UPDATE="15-13-2026"),
        dtks_keluarga("K5", TGL_UPDATE="1-5-2026"),
        dtks_keluarga("K6", TGL_UPDATE="29-02-2024"),
        dtks_keluarga("K7", TGL_UPDATE=""),
    ]
    anggota = [
        dtks_anggota("A1", "K6", TGL_LAHIR="31-04-1980"),
        dtks_anggota("A2", "K6", TGL_LAHIR="29-02-1981"),
    ]
    _dtks(work_area, keluarga, anggota)
    assert work_area.quarantine() == {
        ("keluarga.csv", 1, rules.INVALID_DATE),
        ("keluarga.csv", 2, rules.INVALID_DATE),
        ("keluarga.csv", 3, rules.INVALID_DATE),
        ("keluarga.csv", 4, rules.INVALID_DATE),
        ("keluarga.csv", 5, rules.INVALID_DATE),
        ("anggota.csv", 1, rules.INVALID_DATE),
        ("anggota.csv", 2, rules.INVALID_DATE),
        # the members of the quarantined households K1-K5: none (both members belong to K6, which loads)
    }
    details = dict(
        ((r[0], r[1]), r[2]) for r in work_area.query("SELECT file, row_number, detail FROM work.quarantine")
    )
    assert details[("keluarga.csv", 1)] == "TGL_UPDATE '31-02-2026' is not a real date written DD-MM-YYYY"
    # birth dates: say what is wrong, never the whole date
    assert details[("anggota.csv", 1)] == "TGL_LAHIR is not a real date: day 31 does not exist in month 04"
    assert (
        details[("anggota.csv", 2)]
        == "TGL_LAHIR is not a real date: day 29 does not exist in month 02 of that year"
    )
    assert "1980" not in details[("anggota.csv", 1)] and "1981" not in details[("anggota.csv", 2)]


def test_birth_dates_in_the_future_or_more_than_120_years_back(work_area):
    oldest = TODAY.replace(year=TODAY.year - 120)
    fmt = "%d-%m-%Y"
    anggota = [
        dtks_anggota("A1", "K1", TGL_LAHIR=(TODAY + dt.timedelta(days=1)).strftime(fmt)),
        dtks_anggota("A2", "K1", TGL_LAHIR=TODAY.strftime(fmt)),
        dtks_anggota("A3", "K1", TGL_LAHIR=oldest.strftime(fmt)),
        dtks_anggota("A4", "K1", TGL_LAHIR=(oldest - dt.timedelta(days=1)).strftime(fmt)),
        dtks_anggota("A5", "K1", TGL_LAHIR="01-01-2062"),
    ]
    _dtks(work_area, [dtks_keluarga("K1")], anggota)
    assert work_area.quarantine() == {
        ("anggota.csv", 1, rules.BIRTH_DATE_OUT_OF_RANGE),
        ("anggota.csv", 4, rules.BIRTH_DATE_OUT_OF_RANGE),
        ("anggota.csv", 5, rules.BIRTH_DATE_OUT_OF_RANGE),
    }
    details = sorted(r[0] for r in work_area.query("SELECT detail FROM work.quarantine"))
    assert details == [
        "TGL_LAHIR is in the future (year 2026)",
        "TGL_LAHIR is in the future (year 2062)",
        "TGL_LAHIR is more than 120 years back (year 1906)",
    ]


def test_region_codes_with_or_without_dots_and_retired_codes(work_area):
    retired = retired_village()
    keluarga = [
        dtks_keluarga("K1", KODE_WILAYAH=VILLAGE),
        dtks_keluarga("K2", KODE_WILAYAH=retired),
        dtks_keluarga("K3", KODE_WILAYAH="3201019999"),
        dtks_keluarga("K4", KODE_WILAYAH=VILLAGE_DOTTED),
        dtks_keluarga("K5", KODE_WILAYAH="32010110"),
    ]
    _dtks(work_area, keluarga, [])
    assert work_area.quarantine() == {
        ("keluarga.csv", 3, rules.UNKNOWN_REGION_CODE),
        ("keluarga.csv", 5, rules.UNKNOWN_REGION_CODE),
    }
    kept = work_area.query("SELECT kode_wilayah FROM work.accepted_dtks_keluarga ORDER BY row_number")
    assert [r[0] for r in kept] == [VILLAGE, retired, VILLAGE_DOTTED]  # kept as delivered


def test_codes_and_flags_outside_their_sets(work_area):
    keluarga = [
        dtks_keluarga("K1"),
        dtks_keluarga("K2", PENERIMA_PKH="N"),
        dtks_keluarga("K3", PENERIMA_PBI="y"),
    ]
    anggota = [
        dtks_anggota("A1", "K1", JNS_KEL="X"),
        dtks_anggota("A2", "K1", HUB_KEL="9"),
        dtks_anggota("A3", "K1", HUB_KEL="0", JNS_KEL="L"),
        dtks_anggota("A4", "K1", DISABILITAS="Y", JNS_KEL="PEREMPUAN", HUB_KEL="8"),
    ]
    _dtks(work_area, keluarga, anggota)
    assert work_area.quarantine() == {
        ("keluarga.csv", 2, rules.CODE_NOT_IN_SET),
        ("keluarga.csv", 3, rules.CODE_NOT_IN_SET),
        ("anggota.csv", 1, rules.CODE_NOT_IN_SET),
        ("anggota.csv", 2, rules.CODE_NOT_IN_SET),
        ("anggota.csv", 3, rules.CODE_NOT_IN_SET),
    }
    [(detail,)] = work_area.query(
        "SELECT detail FROM work.quarantine WHERE file = 'anggota.csv' AND row_number = 3"
    )
    # one quarantine row per rule, the columns that broke it joined
    assert (
        detail
        == "HUB_KEL '0' is not one of 1, 2, 3, 4, 5, 6, 7, 8; JNS_KEL 'L' is not one of LAKI-LAKI, PEREMPUAN"
    )


def test_regsosek_codebook_and_p3ke_text_codes(work_area):
    work_area.add_drop(
        "regsosek",
        "20260915",
        {
            "rumah_tangga": [
                _regsosek_rt("R1"),
                _regsosek_rt("R2", jenis_lantai=10),
                _regsosek_rt("R3", sumber_air_minum=11, bahan_bakar_memasak=8, fasilitas_bab=5),
            ],
            "individu": [
                _regsosek_art("I1", "R1", pendidikan_tertinggi=0),
                _regsosek_art("I2", "R1", jenis_kelamin=3),
                _regsosek_art("I3", "R1", status_kawin=None),
            ],
        },
    )
    work_area.add_drop(
        "p3ke",
        "20261001",
        {
            "keluarga": [_p3ke_keluarga("P1"), _p3ke_keluarga("P2", desil_kesejahteraan="5")],
            "individu": [
                _p3ke_individu("I1", "P1"),
                _p3ke_individu("I2", "P1", hubungan_keluarga="kepala keluarga"),
                _p3ke_individu("I3", "P1", hubungan_keluarga="Mertua", jenis_kelamin="L", nik=nik()),
            ],
        },
    )
    run_gate(work_area, max_share=1.0)
    assert work_area.quarantine("regsosek") == {
        ("rumah_tangga.parquet", 2, rules.CODE_NOT_IN_SET),
        ("rumah_tangga.parquet", 3, rules.CODE_NOT_IN_SET),
        ("individu.parquet", 2, rules.CODE_NOT_IN_SET),
    }
    assert work_area.quarantine("p3ke") == {
        ("keluarga.csv.gz", 2, rules.CODE_NOT_IN_SET),
        ("individu.csv.gz", 2, rules.CODE_NOT_IN_SET),
    }


@pytest.mark.parametrize("char", ["\x07", "\x00", "\x1b", "\x7f", "\x85"])
def test_control_characters_in_text_fields(work_area, char):
    anggota = [
        dtks_anggota("A1", "K1", NAMA=f"SITI{char}AMINAH"),
        dtks_anggota("A2", "K1", TMP_LAHIR=f"{char}BOGOR"),
    ]
    _dtks(work_area, [dtks_keluarga("K1", ALAMAT=f"JL. MAWAR{char}")], anggota)
    assert work_area.quarantine() == {
        ("keluarga.csv", 1, rules.CONTROL_CHARACTER),
        ("anggota.csv", 1, rules.CONTROL_CHARACTER),
        ("anggota.csv", 2, rules.CONTROL_CHARACTER),
        ("anggota.csv", 1, rules.MEMBER_WITHOUT_HOUSEHOLD),
        ("anggota.csv", 2, rules.MEMBER_WITHOUT_HOUSEHOLD),
    }
    details = {
        r[0] for r in work_area.query("SELECT detail FROM work.quarantine WHERE rule = 'control_character'")
    }
    code = f"U+{ord(char):04X}"
    assert details == {
        f"ALAMAT contains control character {code} at position 10",
        f"NAMA contains control character {code} at position 5",
        f"TMP_LAHIR contains control character {code} at position 1",
    }
    assert not any("SITI" in d or "BOGOR" in d for d in details)  # names and places are not printed


def test_repeated_record_ids_fail_after_their_first_occurrence_and_blank_ids_are_missing(work_area):
    keluarga = [dtks_keluarga("K1"), dtks_keluarga("K2"), dtks_keluarga("K1"), dtks_keluarga("K1")]
    anggota = [
        dtks_anggota("A1", "K1"),
        dtks_anggota("", "K1"),
        dtks_anggota("A1", "K2"),
        dtks_anggota("  ", "K2"),
        dtks_anggota("A2", "K2"),
    ]
    _dtks(work_area, keluarga, anggota)
    assert work_area.quarantine() == {
        ("keluarga.csv", 3, rules.DUPLICATE_RECORD_ID),
        ("keluarga.csv", 4, rules.DUPLICATE_RECORD_ID),
        ("anggota.csv", 2, rules.MISSING_RECORD_ID),
        ("anggota.csv", 3, rules.DUPLICATE_RECORD_ID),
        ("anggota.csv", 4, rules.MISSING_RECORD_ID),
    }
    [(detail, record_id)] = work_area.query(
        "SELECT detail, source_record_id FROM work.quarantine WHERE file = 'keluarga.csv' AND row_number = 4"
    )
    assert (detail, record_id) == ("ID_KELUARGA repeats the id first seen at keluarga.csv row 1", "K1")


def test_members_need_an_accepted_household_row_of_the_same_drop(work_area):
    keluarga = [dtks_keluarga("K1"), dtks_keluarga("K2", KODE_WILAYAH="9999999999")]
    anggota = [
        dtks_anggota("A1", "K1"),
        dtks_anggota("A2", "K2"),  # its household is quarantined: cascade
        dtks_anggota("A3", "K3"),  # no such household
        dtks_anggota("A4", ""),  # no household at all
    ]
    _dtks(work_area, keluarga, anggota)
    assert work_area.quarantine() == {
        ("keluarga.csv", 2, rules.UNKNOWN_REGION_CODE),
        ("anggota.csv", 2, rules.MEMBER_WITHOUT_HOUSEHOLD),
        ("anggota.csv", 3, rules.MEMBER_WITHOUT_HOUSEHOLD),
        ("anggota.csv", 4, rules.MEMBER_WITHOUT_HOUSEHOLD),
    }
    details = dict(
        work_area.query("SELECT row_number, detail FROM work.quarantine WHERE file = 'anggota.csv'")
    )
    assert details == {
        2: "ID_KELUARGA 'K2': its keluarga row was quarantined",
        3: "ID_KELUARGA 'K3' has no keluarga row in this drop",
        4: "ID_KELUARGA is blank",
    }


def test_a_household_whose_first_row_is_quarantined_still_has_an_accepted_row(work_area):
    """``K1`` repeats: its second row is a duplicate, its first loads, so its members are housed."""
    _dtks(work_area, [dtks_keluarga("K1"), dtks_keluarga("K1")], [dtks_anggota("A1", "K1")])
    assert work_area.quarantine() == {("keluarga.csv", 2, rules.DUPLICATE_RECORD_ID)}


def test_clean_oddities_are_never_quarantined(work_area):
    """NIK typos, blank and placeholder NIKs, bad KKs, quoted line breaks, zero-padded RT/RW, retired codes."""
    retired = retired_village()
    keluarga = [
        dtks_keluarga("K1", ALAMAT="JL. MAWAR NO. 1\nRT 001/RW 002", RT="001", RW="002"),
        dtks_keluarga("K2", KODE_WILAYAH=retired, NO_KK="", RT="0", RW="000"),
        dtks_keluarga("K3", NO_KK="123", ALAMAT="JL.\tMELATI\r\nNO 2", PENERIMA_PKH=""),
    ]
    anggota = [
        dtks_anggota("A1", "K1", NIK=nik()[:15] + "9"),  # one digit off: still well-formed or not, it loads
        dtks_anggota("A2", "K1", NIK=""),
        dtks_anggota("A3", "K2", NIK="0000000000000000"),
        dtks_anggota("A4", "K2", NIK="9901010101800001"),  # no province 99
        dtks_anggota("A5", "K3", NIK="3201010000000000"),
        dtks_anggota("A6", "K3", NIK="32010141018000012", NAMA="NUR  HAYATI", JNS_KEL="PEREMPUAN"),
        dtks_anggota("A7", "K3", NIK=nik(), TGL_LAHIR="01-02-1980", JNS_KEL="PEREMPUAN"),  # hint mismatch
        dtks_anggota("A8", "K3", NIK=nik(), TMP_LAHIR="", DISABILITAS=""),
    ]
    _dtks(work_area, keluarga, anggota)
    assert work_area.quarantine() == set()
    assert work_area.query("SELECT count(*) FROM work.accepted_dtks_anggota")[0][0] == 8
    warnings = {
        (r[0], r[1])
        for r in work_area.query(
            "SELECT row_number, warning FROM work.row_warning WHERE file = 'anggota.csv'"
        )
    }
    assert {
        (2, "nik_missing"),
        (3, "nik_malformed"),
        (4, "nik_unknown_district"),
        (5, "nik_malformed"),
        (6, "nik_malformed"),
        (7, "nik_birth_date_mismatch"),
        (7, "nik_sex_mismatch"),
        (8, "nik_repeated"),
    } <= warnings


def test_p3ke_dotted_codes_and_slashed_dates_load(work_area):
    work_area.add_drop(
        "p3ke",
        "20261001",
        {
            "keluarga": [
                _p3ke_keluarga("P1"),
                _p3ke_keluarga("P2", kode_kemendagri=OTHER_VILLAGE, penerima_program=""),
            ],
            "individu": [
                _p3ke_individu("I1", "P1"),
                _p3ke_individu("I2", "P2", tanggal_lahir="31/12/1999"),
                _p3ke_individu("I3", "P2", tanggal_lahir="01-01-1980"),
            ],
        },
    )
    run_gate(work_area, max_share=1.0)
    assert work_area.quarantine() == {("individu.csv.gz", 3, rules.INVALID_DATE)}
    rows = work_area.query(
        "SELECT kode_kemendagri, status_miskin_ekstrem, desil_kesejahteraan, penerima_program "
        "FROM work.accepted_p3ke_keluarga ORDER BY row_number"
    )
    assert rows == [(VILLAGE_DOTTED, True, 1, "PKH;BPNT"), (OTHER_VILLAGE, True, 1, None)]


def test_dukcapil_population_repeats_and_region_codes(work_area):
    people = [
        dukcapil_person(nik(serial=1)),
        dukcapil_person(nik(serial=2), kode_wilayah="9999999999", tanggal_lahir=dt.date(2030, 1, 1)),
        dukcapil_person(nik(serial=1), nama_lengkap="LAIN", jenis_kelamin="X"),
    ]
    work_area.add_drop("dukcapil", "20261120", {"penduduk": people})
    run_gate(work_area, max_share=1.0)
    assert work_area.quarantine() == {
        ("penduduk.parquet", 2, rules.UNKNOWN_REGION_CODE),
        ("penduduk.parquet", 2, rules.BIRTH_DATE_OUT_OF_RANGE),
        ("penduduk.parquet", 3, rules.DUPLICATE_RECORD_ID),
        ("penduduk.parquet", 3, rules.CODE_NOT_IN_SET),
    }
    # The record id is an NIK here: quarantine keeps it (contract), details never print it raw.
    for record_id, detail in work_area.query("SELECT source_record_id, detail FROM work.quarantine"):
        assert record_id.startswith("320101")
        assert record_id not in detail
