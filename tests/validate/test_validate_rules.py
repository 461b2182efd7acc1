"""Every row-rule family on small hand-made rows, and the benign oddities that must load.

All cases live in ONE drop per source (one GX validation per file: validations cost time, rows do not), each
case under its own record ids; the gate runs once for the module and each test looks at its own rows in
``work.quarantine`` and ``work.accepted_*``: which rows, which rules, what the detail says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from support.identities import nik
from support.work_area import (
    OTHER_VILLAGE,
    TODAY,
    VILLAGE,
    VILLAGE_DOTTED,
    WorkArea,
    dtks_anggota,
    dtks_keluarga,
    dukcapil_person,
    retired_village,
    run_gate,
)

from sejahtera.rules import row_rules as rules

CONTROL = ["\x07", "\x00", "\x1b", "\x7f", "\x85"]
OLDEST = TODAY.replace(year=TODAY.year - 120)
FMT = "%d-%m-%Y"


@dataclass
class Rows:
    """The rows of one file, added case by case; ``add`` returns the row's 1-based number."""

    rows: list[dict] = field(default_factory=list)

    def add(self, row: dict) -> int:
        self.rows.append(row)
        return len(self.rows)


def p3ke_keluarga(id_, **over):
    row = {
        "id_keluarga_p3ke": id_,
        "no_kk": "3201010101200001",
        "kode_kemendagri": VILLAGE_DOTTED,
        "alamat": "KP. SUKAMAJU",
        "desil_kesejahteraan": "1",
        "status_miskin_ekstrem": "Ya",
        "penerima_program": "PKH;BPNT",
    }
    return row | over


def p3ke_individu(id_, keluarga, **over):
    row = {
        "id_individu_p3ke": id_,
        "id_keluarga_p3ke": keluarga,
        "nik": nik(sex="P"),
        "nama": "SITI AMINAH",
        "jenis_kelamin": "P",
        "tanggal_lahir": "01/01/1980",
        "hubungan_keluarga": "Kepala Keluarga",
        "pekerjaan": "PETANI",
    }
    return row | over


def regsosek_rt(id_, **over):
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
    return row | over


def regsosek_art(id_, rt, **over):
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
    return row | over


def _dtks_cases(keluarga: Rows, anggota: Rows, retired: str) -> None:
    k, a = keluarga.add, anggota.add
    # dates (D*)
    k(dtks_keluarga("D1", TGL_UPDATE="31-02-2026"))
    k(dtks_keluarga("D2", TGL_UPDATE="2026-10-15"))
    k(dtks_keluarga("D3", TGL_UPDATE="00-05-2026"))
    k(dtks_keluarga("D4", TGL_UPDATE="15-13-2026"))
    k(dtks_keluarga("D5", TGL_UPDATE="1-5-2026"))
    k(dtks_keluarga("D6", TGL_UPDATE="29-02-2024"))
    k(dtks_keluarga("D7", TGL_UPDATE=""))
    a(dtks_anggota("DA1", "D6", NIK=nik(serial=101), TGL_LAHIR="31-04-1980"))
    a(dtks_anggota("DA2", "D6", NIK=nik(serial=102), TGL_LAHIR="29-02-1981"))
    # birth dates (B*)
    k(dtks_keluarga("B"))
    a(dtks_anggota("BA1", "B", NIK=nik(serial=201), TGL_LAHIR=(TODAY + dt.timedelta(days=1)).strftime(FMT)))
    a(dtks_anggota("BA2", "B", NIK=nik(serial=202), TGL_LAHIR=TODAY.strftime(FMT)))
    a(dtks_anggota("BA3", "B", NIK=nik(serial=203), TGL_LAHIR=OLDEST.strftime(FMT)))
    a(dtks_anggota("BA4", "B", NIK=nik(serial=204), TGL_LAHIR=(OLDEST - dt.timedelta(days=1)).strftime(FMT)))
    a(dtks_anggota("BA5", "B", NIK=nik(serial=205), TGL_LAHIR="01-01-2062"))
    # region codes (R*)
    k(dtks_keluarga("R1", KODE_WILAYAH=VILLAGE))
    k(dtks_keluarga("R2", KODE_WILAYAH=retired))
    k(dtks_keluarga("R3", KODE_WILAYAH="3201019999"))
    k(dtks_keluarga("R4", KODE_WILAYAH=VILLAGE_DOTTED))
    k(dtks_keluarga("R5", KODE_WILAYAH="32010110"))
    # codes and flags (C*)
    k(dtks_keluarga("C1"))
    k(dtks_keluarga("C2", PENERIMA_PKH="N"))
    k(dtks_keluarga("C3", PENERIMA_PBI="y"))
    a(dtks_anggota("CA1", "C1", NIK=nik(serial=301), JNS_KEL="X"))
    a(dtks_anggota("CA2", "C1", NIK=nik(serial=302), HUB_KEL="9"))
    a(dtks_anggota("CA3", "C1", NIK=nik(serial=303), HUB_KEL="0", JNS_KEL="L"))
    a(
        dtks_anggota(
            "CA4", "C1", NIK=nik(sex="P", serial=304), DISABILITAS="Y", JNS_KEL="PEREMPUAN", HUB_KEL="8"
        )
    )
    # control characters (X<i>)
    for i, char in enumerate(CONTROL):
        k(dtks_keluarga(f"X{i}", ALAMAT=f"JL. MAWAR{char}"))
        a(dtks_anggota(f"XA{i}", f"X{i}", NIK=nik(serial=400 + i), NAMA=f"SITI{char}AMINAH"))
        a(dtks_anggota(f"XB{i}", "C1", NIK=nik(serial=410 + i), TMP_LAHIR=f"{char}BOGOR"))
    # control characters in record ids, a household's and a member's (Z*): ids are text fields too
    k(dtks_keluarga("ZK\x07"))
    a(dtks_anggota("ZA1", "ZK\x07", NIK=nik(serial=901)))
    a(dtks_anggota("ZA\x1b2", "C1", NIK=nik(serial=902)))
    # members and their households (H*)
    k(dtks_keluarga("H1"))
    k(dtks_keluarga("H2", KODE_WILAYAH="9999999999"))
    a(dtks_anggota("HA1", "H1", NIK=nik(serial=501)))
    a(dtks_anggota("HA2", "H2", NIK=nik(serial=502)))
    a(dtks_anggota("HA3", "H9", NIK=nik(serial=503)))
    a(dtks_anggota("HA4", "", NIK=nik(serial=504)))
    # a household whose second row is a duplicate still has its first (F)
    k(dtks_keluarga("F"))
    k(dtks_keluarga("F"))
    a(dtks_anggota("FA1", "F", NIK=nik(serial=601)))
    # values holding line breaks or tabs, shown in a detail (L*): the detail stays on one line
    k(dtks_keluarga("L1", KODE_WILAYAH="3201\r\n011001"))
    a(dtks_anggota("LA1", "C1", NIK=nik(serial=801), JNS_KEL="LAKI-\nLAKI"))
    a(dtks_anggota("LA2", "C1", NIK=nik(serial=802), HUB_KEL="1\t"))
    a(dtks_anggota("LA3", "H\u20289", NIK=nik(serial=803)))
    # clean oddities (O*)
    k(dtks_keluarga("O1", ALAMAT="JL. MAWAR NO. 1\nRT 001/RW 002", RT="001", RW="002"))
    k(dtks_keluarga("O2", KODE_WILAYAH=retired, NO_KK="", RT="0", RW="000"))
    k(dtks_keluarga("O3", NO_KK="123", ALAMAT="JL.\tMELATI\r\nNO 2", PENERIMA_PKH=""))
    a(dtks_anggota("OA1", "O1", NIK=nik(serial=701)[:15] + "9"))
    a(dtks_anggota("OA2", "O1", NIK=""))
    a(dtks_anggota("OA3", "O2", NIK="0000000000000000"))
    a(dtks_anggota("OA4", "O2", NIK="9901010101800001"))  # no province 99
    a(dtks_anggota("OA5", "O3", NIK="3201010000000000"))
    a(dtks_anggota("OA6", "O3", NIK="32010141018000012", NAMA="NUR  HAYATI", JNS_KEL="PEREMPUAN"))
    a(dtks_anggota("OA7", "O3", NIK=nik(serial=707), TGL_LAHIR="01-02-1980", JNS_KEL="PEREMPUAN"))
    a(dtks_anggota("OA8", "O3", NIK=nik(serial=707), TMP_LAHIR="", DISABILITAS=""))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    area = WorkArea(tmp_path_factory.mktemp("rules") / "warehouse" / "rules.duckdb")
    retired = retired_village()
    keluarga, anggota = Rows(), Rows()
    _dtks_cases(keluarga, anggota, retired)
    # repeated and blank record ids (their own drop: row numbers are asserted)
    area.add_drop("dtks", "20261114", {
        "keluarga": [dtks_keluarga("K1"), dtks_keluarga("K2"), dtks_keluarga("K1"), dtks_keluarga("K1")],
        "anggota": [
            dtks_anggota("A1", "K1"),
            dtks_anggota("", "K1"),
            dtks_anggota("A1", "K2"),
            dtks_anggota("  ", "K2"),
            dtks_anggota("A2", "K2"),
        ],
    })  # fmt: skip
    area.add_drop("dtks", "20261115", {"keluarga": keluarga.rows, "anggota": anggota.rows})
    area.add_drop(
        "regsosek",
        "20260915",
        {
            "rumah_tangga": [
                regsosek_rt("R1"),
                regsosek_rt("R2", jenis_lantai=10),
                regsosek_rt("R3", sumber_air_minum=11, bahan_bakar_memasak=8, fasilitas_bab=5),
            ],
            "individu": [
                regsosek_art("I1", "R1", pendidikan_tertinggi=0),
                regsosek_art("I2", "R1", jenis_kelamin=3),
                regsosek_art("I3", "R1", status_kawin=None),
            ],
        },
    )
    area.add_drop(
        "p3ke",
        "20261001",
        {
            "keluarga": [
                p3ke_keluarga("P1"),
                p3ke_keluarga("P2", desil_kesejahteraan="5"),
                p3ke_keluarga("P3", kode_kemendagri=OTHER_VILLAGE, penerima_program=""),
            ],
            "individu": [
                p3ke_individu("I1", "P1"),
                p3ke_individu("I2", "P1", hubungan_keluarga="kepala keluarga"),
                p3ke_individu("I3", "P1", hubungan_keluarga="Mertua", jenis_kelamin="L", nik=nik()),
                p3ke_individu("I4", "P3", tanggal_lahir="31/12/1999"),
                p3ke_individu("I5", "P3", tanggal_lahir="01-01-1980"),
            ],
        },
    )
    area.add_drop(
        "dukcapil",
        "20261120",
        {
            "penduduk": [
                dukcapil_person(nik(serial=1)),
                dukcapil_person(nik(serial=2), kode_wilayah="9999999999", tanggal_lahir=dt.date(2030, 1, 1)),
                dukcapil_person(nik(serial=1), nama_lengkap="LAIN", jenis_kelamin="X"),
            ]
        },
    )
    run_gate(area, max_share=1.0)
    return {"area": area, "retired": retired}


def broken(world, source: str, prefix: str, drop_id: str | None = None) -> set[tuple[str, str]]:
    """(record id, rule) of the quarantined rows of ``source`` whose record id starts with ``prefix``."""
    sql = "SELECT source_record_id, rule FROM work.quarantine WHERE source = ? AND source_record_id LIKE ?"
    params = [source, prefix + "%"]
    if drop_id:
        sql += " AND drop_id = ?"
        params.append(drop_id)
    return {tuple(r) for r in world["area"].query(sql, params)}


def details(world, prefix: str, rule: str | None = None) -> dict[str, str]:
    sql = "SELECT source_record_id, detail FROM work.quarantine WHERE source_record_id LIKE ?"
    params = [prefix + "%"]
    if rule:
        sql += " AND rule = ?"
        params.append(rule)
    return dict(world["area"].query(sql, params))


def test_dates_that_do_not_exist_or_do_not_parse_are_invalid(world):
    assert broken(world, "dtks", "D") == {
        ("D1", rules.INVALID_DATE),
        ("D2", rules.INVALID_DATE),
        ("D3", rules.INVALID_DATE),
        ("D4", rules.INVALID_DATE),
        ("D5", rules.INVALID_DATE),
        ("DA1", rules.INVALID_DATE),
        ("DA2", rules.INVALID_DATE),
    }
    said = details(world, "D")
    assert said["D1"] == "TGL_UPDATE '31-02-2026' is not a real date written DD-MM-YYYY"
    # birth dates: say what is wrong, never the whole date
    assert said["DA1"] == "TGL_LAHIR is not a real date: day 31 does not exist in month 04"
    assert said["DA2"] == "TGL_LAHIR is not a real date: day 29 does not exist in month 02 of that year"


def test_birth_dates_in_the_future_or_more_than_120_years_back(world):
    assert broken(world, "dtks", "B") == {
        ("BA1", rules.BIRTH_DATE_OUT_OF_RANGE),
        ("BA4", rules.BIRTH_DATE_OUT_OF_RANGE),
        ("BA5", rules.BIRTH_DATE_OUT_OF_RANGE),
    }
    assert details(world, "BA") == {
        "BA1": "TGL_LAHIR is in the future (year 2026)",
        "BA4": "TGL_LAHIR is more than 120 years back (year 1906)",
        "BA5": "TGL_LAHIR is in the future (year 2062)",
    }


def test_region_codes_with_or_without_dots_and_retired_codes(world):
    assert broken(world, "dtks", "R") == {
        ("R3", rules.UNKNOWN_REGION_CODE),
        ("R5", rules.UNKNOWN_REGION_CODE),
    }
    kept = world["area"].query(
        "SELECT kode_wilayah FROM work.accepted_dtks_keluarga WHERE id_keluarga LIKE 'R%' ORDER BY row_number"
    )
    assert [r[0] for r in kept] == [VILLAGE, world["retired"], VILLAGE_DOTTED]  # kept as delivered


def test_codes_and_flags_outside_their_sets(world):
    assert broken(world, "dtks", "C") == {
        ("C2", rules.CODE_NOT_IN_SET),
        ("C3", rules.CODE_NOT_IN_SET),
        ("CA1", rules.CODE_NOT_IN_SET),
        ("CA2", rules.CODE_NOT_IN_SET),
        ("CA3", rules.CODE_NOT_IN_SET),
    }
    # one quarantine row per rule, the columns that broke it joined
    assert details(world, "CA3") == {
        "CA3": "HUB_KEL '0' is not one of 1, 2, 3, 4, 5, 6, 7, 8; JNS_KEL 'L' is not one of LAKI-LAKI, PEREMPUAN"
    }


def test_regsosek_codebook_and_p3ke_text_codes(world):
    assert broken(world, "regsosek", "") == {
        ("R2", rules.CODE_NOT_IN_SET),
        ("R3", rules.CODE_NOT_IN_SET),
        ("I2", rules.CODE_NOT_IN_SET),
    }
    assert {r for r in broken(world, "p3ke", "") if r[1] == rules.CODE_NOT_IN_SET} == {
        ("P2", rules.CODE_NOT_IN_SET),
        ("I2", rules.CODE_NOT_IN_SET),
    }


@pytest.mark.parametrize("i", range(len(CONTROL)), ids=[f"U+{ord(c):04X}" for c in CONTROL])
def test_control_characters_in_text_fields(world, i):
    assert broken(world, "dtks", f"X{i}") == {(f"X{i}", rules.CONTROL_CHARACTER)}
    assert broken(world, "dtks", f"XA{i}") == {
        (f"XA{i}", rules.CONTROL_CHARACTER),
        (f"XA{i}", rules.MEMBER_WITHOUT_HOUSEHOLD),
    }
    assert broken(world, "dtks", f"XB{i}") == {(f"XB{i}", rules.CONTROL_CHARACTER)}
    code = f"U+{ord(CONTROL[i]):04X}"
    said = details(world, "X", rules.CONTROL_CHARACTER)
    assert said[f"X{i}"] == f"ALAMAT contains control character {code} at position 10"
    assert said[f"XA{i}"] == f"NAMA contains control character {code} at position 5"
    assert said[f"XB{i}"] == f"TMP_LAHIR contains control character {code} at position 1"
    assert not any("SITI" in d or "BOGOR" in d for d in said.values())  # names and places are not printed


def test_details_stay_on_one_line_whatever_the_value_holds(world):
    """A delivered value with a line break, carriage return, tab or Unicode line separator is shown with ``?``
    in its place: a detail is one line an operator can grep, paste and read."""
    assert broken(world, "dtks", "L") == {
        ("L1", rules.UNKNOWN_REGION_CODE),
        ("LA1", rules.CODE_NOT_IN_SET),
        ("LA2", rules.CODE_NOT_IN_SET),
        ("LA3", rules.MEMBER_WITHOUT_HOUSEHOLD),
    }
    assert details(world, "L") == {
        "L1": "KODE_WILAYAH '3201??011001' is in neither the 2022 nor the 2025 Kemendagri village list",
        "LA1": "JNS_KEL 'LAKI-?LAKI' is not one of LAKI-LAKI, PEREMPUAN",
        "LA2": "HUB_KEL '1?' is not one of 1, 2, 3, 4, 5, 6, 7, 8",
        "LA3": "ID_KELUARGA 'H?9' has no keluarga row in this drop",
    }
    every = [d for (d,) in world["area"].query("SELECT detail FROM work.quarantine")]
    assert every and not [d for d in every if len(d.splitlines()) != 1 or "\t" in d]


def test_control_characters_in_record_ids(world):
    assert broken(world, "dtks", "Z") == {
        ("ZK\x07", rules.CONTROL_CHARACTER),
        ("ZA1", rules.CONTROL_CHARACTER),
        ("ZA1", rules.MEMBER_WITHOUT_HOUSEHOLD),
        ("ZA\x1b2", rules.CONTROL_CHARACTER),
    }
    assert details(world, "Z", rules.CONTROL_CHARACTER) == {
        "ZK\x07": "ID_KELUARGA contains control character U+0007 at position 3",
        "ZA1": "ID_KELUARGA contains control character U+0007 at position 3",
        "ZA\x1b2": "ID_ART contains control character U+001B at position 3",
    }


def test_repeated_record_ids_fail_after_their_first_occurrence_and_blank_ids_are_missing(world):
    got = {
        tuple(r)
        for r in world["area"].query(
            "SELECT file, row_number, rule FROM work.quarantine WHERE drop_id = '20261114'"
        )
    }
    assert got == {
        ("keluarga.csv", 3, rules.DUPLICATE_RECORD_ID),
        ("keluarga.csv", 4, rules.DUPLICATE_RECORD_ID),
        ("anggota.csv", 2, rules.MISSING_RECORD_ID),
        ("anggota.csv", 3, rules.DUPLICATE_RECORD_ID),
        ("anggota.csv", 4, rules.MISSING_RECORD_ID),
    }
    [(detail, record_id)] = world["area"].query(
        "SELECT detail, source_record_id FROM work.quarantine "
        "WHERE drop_id = '20261114' AND file = 'keluarga.csv' AND row_number = 4"
    )
    assert (detail, record_id) == ("ID_KELUARGA repeats the id first seen at keluarga.csv row 1", "K1")


def test_members_need_an_accepted_household_row_of_the_same_drop(world):
    assert broken(world, "dtks", "H") == {
        ("H2", rules.UNKNOWN_REGION_CODE),
        ("HA2", rules.MEMBER_WITHOUT_HOUSEHOLD),
        ("HA3", rules.MEMBER_WITHOUT_HOUSEHOLD),
        ("HA4", rules.MEMBER_WITHOUT_HOUSEHOLD),
    }
    assert details(world, "HA") == {
        "HA2": "ID_KELUARGA 'H2': its keluarga row was quarantined",
        "HA3": "ID_KELUARGA 'H9' has no keluarga row in this drop",
        "HA4": "ID_KELUARGA is blank",
    }


def test_a_household_whose_second_row_is_a_duplicate_still_has_an_accepted_row(world):
    assert broken(world, "dtks", "F") == {("F", rules.DUPLICATE_RECORD_ID)}


def test_clean_oddities_are_never_quarantined(world):
    """NIK typos, blank and placeholder NIKs, bad KKs, quoted line breaks, zero-padded RT/RW, retired codes."""
    area = world["area"]
    assert broken(world, "dtks", "O") == set()
    assert area.query("SELECT count(*) FROM work.accepted_dtks_anggota WHERE id_art LIKE 'OA%'") == [(8,)]
    assert area.query("SELECT alamat, rt, rw FROM work.accepted_dtks_keluarga WHERE id_keluarga = 'O1'") == [
        ("JL. MAWAR NO. 1\nRT 001/RW 002", "001", "002")
    ]
    warnings = {
        tuple(r)
        for r in area.query(
            "SELECT a.id_art, w.warning FROM work.row_warning AS w JOIN work.raw_dtks_anggota AS a "
            "USING (drop_id, file, row_number) WHERE a.id_art LIKE 'OA%'"
        )
    }
    assert {
        ("OA2", "nik_missing"),
        ("OA3", "nik_malformed"),
        ("OA4", "nik_unknown_district"),
        ("OA5", "nik_malformed"),
        ("OA6", "nik_malformed"),
        ("OA7", "nik_birth_date_mismatch"),
        ("OA7", "nik_sex_mismatch"),
        ("OA8", "nik_repeated"),
    } <= warnings


def test_p3ke_dotted_codes_and_slashed_dates_load(world):
    assert broken(world, "p3ke", "I") - {("I2", rules.CODE_NOT_IN_SET)} == {("I5", rules.INVALID_DATE)}
    rows = world["area"].query(
        "SELECT kode_kemendagri, status_miskin_ekstrem, desil_kesejahteraan, penerima_program "
        "FROM work.accepted_p3ke_keluarga ORDER BY row_number"
    )
    assert rows == [(VILLAGE_DOTTED, True, 1, "PKH;BPNT"), (OTHER_VILLAGE, True, 1, None)]


def test_dukcapil_population_repeats_and_region_codes(world):
    got = {
        tuple(r)
        for r in world["area"].query("SELECT row_number, rule FROM work.quarantine WHERE source = 'dukcapil'")
    }
    assert got == {
        (2, rules.UNKNOWN_REGION_CODE),
        (2, rules.BIRTH_DATE_OUT_OF_RANGE),
        (3, rules.DUPLICATE_RECORD_ID),
        (3, rules.CODE_NOT_IN_SET),
    }
    # The record id is an NIK here: quarantine keeps it (contract), details never print it raw.
    for record_id, detail in world["area"].query(
        "SELECT source_record_id, detail FROM work.quarantine WHERE source = 'dukcapil'"
    ):
        assert record_id.startswith("320101")
        assert record_id not in detail
