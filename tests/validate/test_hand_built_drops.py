"""Drops written byte by byte from the contract's text (not by the generator, not from the adapters), looked at
by the real extract and validate assets in one Dagster run: what lands in the quarantine, the ledger and the
accepted tables is what contract sections 1 and 2 say.

Every file here is spelled out as an agency would send it: DTKS with a byte-order mark and CRLF line ends, a
quoted address holding a line break and an escaped quote, a header in another case with stray spaces and an
extra column nobody declared (kept, never checked: a control character there breaks no rule); P3KE
gzipped with dotted and plain village codes; Regsosek Parquet written with int64 codes and timestamps for dates;
a Dukcapil delta whose events fill only some of the optional columns, under a ``YYYYMMDDTHHMM`` drop_id; one
entity delivered in several files, listed in the manifest in another order than their names sort.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest
import yaml
from support.duck import query
from support.landing import EXTRACTED_AT, DataFile, parquet_bytes, text_bytes, write_drop

from assets import extract, validate
from sejahtera.resources import LandingZoneResource, RulesResource, WarehouseResource
from sejahtera.rule_config import CONFIG_DIR, read_rule_file
from sejahtera.rules import row_rules as rules

VILLAGE = "3201011001"  # Kab. Bogor, 2025 list
OTHER_VILLAGE = "3273011001"  # Kota Bandung

KELUARGA_HEADER = (
    "ID_KELUARGA;NO_KK;KODE_WILAYAH;ALAMAT;RT;RW;PENERIMA_PKH;PENERIMA_BPNT;PENERIMA_PBI;TGL_UPDATE"
)
ANGGOTA_HEADER = "ID_ART;ID_KELUARGA;NIK;NAMA;JNS_KEL;TMP_LAHIR;TGL_LAHIR;HUB_KEL;DISABILITAS"
PERISTIWA_HEADER = (
    "id_peristiwa,jenis_peristiwa,tanggal_peristiwa,nik,no_kk,nama_lengkap,jenis_kelamin,tempat_lahir,"
    "tanggal_lahir,kode_wilayah,alamat"
)


def deliver(
    root: Path, source: str, drop_id: str, kind: str, files: list[tuple[str, str, bytes, int]]
) -> None:
    """Write the data files, then the manifest (last, as the contract says), with their sha256 and rows."""
    write_drop(root, source, drop_id, kind, [DataFile(*f) for f in files], exported=EXTRACTED_AT)


def _dtks(root: Path) -> None:
    keluarga = [
        " id_keluarga ;No_KK;kode_wilayah;ALAMAT;RT;RW;PENERIMA_PKH;PENERIMA_BPNT;PENERIMA_PBI;TGL_UPDATE ;Ket",
        f'K1;3201010101200001;{VILLAGE};"JL. MAWAR ""INDAH"" NO. 1";001;002;Y;T;Y;15-10-2026;\x07',
        f'K2;3201010101200002;{VILLAGE};"JL. MELATI\r\nGANG 2";1;2;T;T;T;29-02-2024;baru',
        "K3;3201010101200003;32.01.01.1003;;;;Y;Y;Y;;",
    ]
    # Two anggota files, listed in the manifest as anggota_2 then anggota_10 (their names sort the other way).
    # A2 is in both: its occurrence in the file delivered first is the first one.
    anggota_2 = [
        ANGGOTA_HEADER,
        "A1;K1;3201010101800001;BUDI;LAKI-LAKI;BOGOR;01-01-1980;1;T",
        'A2;K2;;"SITI\r\nAMINAH";PEREMPUAN;;;3;',
        "A3;K3;0000000000000000;ANI;PEREMPUAN;BOGOR;29-02-2023;2;T",
    ]
    anggota_10 = [
        ANGGOTA_HEADER,
        "A4;K1;3201014101800002;DEWI;PEREMPUAN;BOGOR;01-01-1980;2;T",
        "A2;K1;3201010202900003;JOKO;LAKI-LAKI;BOGOR;02-02-1990;3;T",
    ]
    deliver(
        root,
        "dtks",
        "20261127",
        "full",
        [
            ("keluarga.csv", "keluarga", text_bytes(keluarga, newline="\r\n", bom=True), 3),
            ("anggota_2.csv", "anggota", text_bytes(anggota_2, newline="\r\n", bom=True), 3),
            ("anggota_10.csv", "anggota", text_bytes(anggota_10), 2),
        ],
    )


def _p3ke(root: Path) -> None:
    keluarga = [
        "id_keluarga_p3ke,no_kk,kode_kemendagri,alamat,desil_kesejahteraan,status_miskin_ekstrem,penerima_program",
        "P1,3201010101200001,32.01.01.1001,KP. SUKAMAJU,1,Ya,PKH;BPNT",
        f"P2,3201010101200002,{OTHER_VILLAGE},KP. SUKASARI,4,Tidak,",
    ]
    individu = [
        "id_individu_p3ke,id_keluarga_p3ke,nik,nama,jenis_kelamin,tanggal_lahir,hubungan_keluarga,pekerjaan",
        "I1,P1,3201014101800002,DEWI,P,01/01/1980,Kepala Keluarga,PETANI",
        "I2,P2,3201010101800001,BUDI,L,31/04/1980,Suami,",
    ]
    deliver(
        root,
        "p3ke",
        "20261001",
        "full",
        [
            ("keluarga.csv.gz", "keluarga", text_bytes(keluarga, gzipped=True), 2),
            ("individu.csv.gz", "individu", text_bytes(individu, gzipped=True), 2),
        ],
    )


def _regsosek_rumah_tangga(ids: list[str]) -> pa.Table:
    """Two households (the second in a village code of neither list), codes as int64, dates as timestamps."""
    codes = {c: pa.array([2, 3], pa.int64()) for c in ("jenis_lantai", "jenis_dinding", "jenis_atap")}
    return pa.table(
        {
            "id_rt": ids,
            "no_kk": ["3201010101200001", None],
            "kode_desa": [VILLAGE, "3201019999"],
            "alamat": ["KP. SUKAMAJU", None],
            "jumlah_art": pa.array([2, 1], pa.int64()),
            "luas_lantai_m2": [36.0, 21.5],
            **codes,
            "sumber_air_minum": pa.array([3, 11], pa.int64()),
            "fasilitas_bab": pa.array([1, 4], pa.int64()),
            "sumber_penerangan": pa.array([1, 4], pa.int64()),
            "bahan_bakar_memasak": pa.array([3, 7], pa.int64()),
            "status_kepemilikan_rumah": pa.array([1, 2], pa.int64()),
            "daya_listrik_va": pa.array([900, 0], pa.int64()),
            **{f"aset_{a}": [True, False] for a in ("motor", "mobil", "kulkas", "ac", "tv", "emas")},
            "aset_lahan_m2": [0.0, 120.0],
            "tanggal_pencacahan": pa.array(
                [dt.datetime(2022, 10, 15), dt.datetime(2022, 10, 16)], pa.timestamp("us")
            ),
        }
    )


def _deliver_regsosek(root: Path, drop_id: str, rumah_tangga: pa.Table, individu: pa.Table) -> None:
    """A Regsosek full of the two tables, each listed with its own row count."""
    deliver(
        root,
        "regsosek",
        drop_id,
        "full",
        [
            ("rumah_tangga.parquet", "rumah_tangga", parquet_bytes(rumah_tangga), rumah_tangga.num_rows),
            ("individu.parquet", "individu", parquet_bytes(individu), individu.num_rows),
        ],
    )


def _regsosek(root: Path) -> None:
    rumah_tangga = _regsosek_rumah_tangga(["R1", "R2"])
    individu = pa.table(
        {
            "id_art": ["I1", "I2"],
            "id_rt": ["R1", "R2"],
            "nik": ["3201010101800001", None],
            "nama": ["BUDI", "ANI"],
            "jenis_kelamin": pa.array([1, 2], pa.int64()),
            "tanggal_lahir": pa.array([dt.datetime(1980, 1, 1), dt.datetime(1990, 5, 6)], pa.timestamp("ms")),
            "hubungan_krt": pa.array([1, 1], pa.int64()),
            "status_kawin": pa.array([2, None], pa.int64()),
            "pendidikan_tertinggi": pa.array([0, 6], pa.int64()),
            "bekerja": [True, None],
            "disabilitas": [False, False],
        }
    )
    _deliver_regsosek(root, "20221015", rumah_tangga, individu)


def _regsosek_written_as_text(root: Path) -> None:
    """A later Regsosek drop from a tool that wrote codes and dates as strings: the values that are what they
    should be load typed; a code or a date that is not one breaks its row rule (it does not reject the file)."""
    rumah_tangga = _regsosek_rumah_tangga(["S1", "S2"]).drop_columns(["jenis_lantai", "tanggal_pencacahan"])
    rumah_tangga = rumah_tangga.append_column("jenis_lantai", pa.array(["2", "lantai"]))
    rumah_tangga = rumah_tangga.append_column("tanggal_pencacahan", pa.array(["2022-11-01", "2022-02-30"]))
    individu = pa.table(
        {
            "id_art": ["J1", "J2", "J3"],
            "id_rt": ["S1", "S1", "S1"],
            "nik": ["3201010101800001", "3201014101800002", None],
            "nama": ["BUDI", "DEWI", "ANI"],
            "jenis_kelamin": ["L", "2", "2"],
            "tanggal_lahir": ["1980-01-01", "1980-13-01", "1990-05-06"],
            "hubungan_krt": ["1", "2", "3"],
            "status_kawin": ["2", "2", "1"],
            "pendidikan_tertinggi": ["3", "3", "6"],
            "bekerja": [True, False, None],
            "disabilitas": [False, False, False],
        }
    )
    _deliver_regsosek(root, "20221101", rumah_tangga, individu)


def _dukcapil(root: Path) -> None:
    penduduk = pa.table(
        {
            "nik": ["3201010101800001", "3201014101800002"],
            "no_kk": ["3201010101200001", "3201010101200001"],
            "nama_lengkap": ["BUDI", "DEWI"],
            "jenis_kelamin": ["LAKI-LAKI", "PEREMPUAN"],
            "tempat_lahir": ["BOGOR", "BOGOR"],
            "tanggal_lahir": [dt.date(1980, 1, 1), dt.date(1980, 1, 1)],
            "kode_wilayah": [VILLAGE, VILLAGE],
            "alamat": ["JL. MAWAR", "JL. MAWAR"],
            "status_hidup": ["HIDUP", "HIDUP"],
            "tanggal_meninggal": pa.array([None, None], pa.date32()),
        }
    )
    deliver(
        root, "dukcapil", "20261120", "full", [("penduduk.parquet", "penduduk", parquet_bytes(penduduk), 2)]
    )
    events = [
        PERISTIWA_HEADER,
        "E1,LAHIR,2026-11-21,3201016111260001,3201010101200001,SARI,PEREMPUAN,BOGOR,2026-11-21,,",
        f"E2,PINDAH,2026-11-22,3201010101800001,,,,,,{OTHER_VILLAGE},",
        "E3,MATI,2026-11-23,3201016111260001,,,,,,,",
        "E4,UBAH_DATA,2026-11-23,3201014101800002,,DEWI LESTARI,,,,,",
        "E5,MATI,2026-11-24,3201019999990042,,,,,,,",
    ]
    deliver(
        root, "dukcapil", "20261125T0600", "delta", [("peristiwa.csv", "peristiwa", text_bytes(events), 5)]
    )


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("hand_built")
    landing = root / "landing"
    for write in (_dtks, _p3ke, _regsosek, _regsosek_written_as_text, _dukcapil):
        write(landing)
    warehouse_file = root / "warehouse" / "sejahtera.duckdb"
    # These drops are a few rows each: no share of failing rows rejects them (the threshold is tested elsewhere).
    rules = root / "rules"
    rules.mkdir()
    quality = read_rule_file(CONFIG_DIR / "quality.yaml") | {"max_failing_row_share": 1.0}
    (rules / "quality.yaml").write_text(yaml.safe_dump(quality), encoding="utf-8")
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [*extract.asset_defs, *validate.asset_defs],
            resources={
                "warehouse": WarehouseResource(path=str(warehouse_file)),
                "landing": LandingZoneResource(root=str(landing)),
                "rules": RulesResource(folder=str(rules)),
            },
            instance=instance,
        )
        assert result.success
    yield warehouse_file


def quarantined(warehouse_file: Path, source: str, drop_id: str | None = None) -> set[tuple]:
    rows = query(
        warehouse_file,
        "SELECT file, row_number, source_record_id, rule FROM work.quarantine WHERE source = ? "
        "AND drop_id = coalesce(?, drop_id)",
        [source, drop_id],
    )
    return {tuple(r) for r in rows}


def test_every_drop_is_applied_and_every_row_accounted_for(landed: Path) -> None:
    ledger = query(
        landed,
        "SELECT source || '.' || drop_id, kind, status, rows_in, rows_loaded, rows_quarantined FROM work.ledger",
    )
    assert sorted(ledger) == [
        ("dtks.20261127", "full", "applied", 8, 6, 2),
        ("dukcapil.20261120", "full", "applied", 2, 2, 0),
        ("dukcapil.20261125T0600", "delta", "applied", 5, 4, 1),
        ("p3ke.20261001", "full", "applied", 4, 3, 1),
        ("regsosek.20221015", "full", "applied", 4, 2, 2),
        ("regsosek.20221101", "full", "applied", 5, 2, 3),
    ]


def test_a_repeated_id_fails_after_its_first_occurrence_in_the_manifest_order_of_files(landed: Path) -> None:
    assert quarantined(landed, "dtks") == {
        ("anggota_2.csv", 3, "A3", rules.INVALID_DATE),  # 29-02-2023 does not exist
        ("anggota_10.csv", 2, "A2", rules.DUPLICATE_RECORD_ID),
    }
    [(detail,)] = query(
        landed, "SELECT detail FROM work.quarantine WHERE rule = ?", [rules.DUPLICATE_RECORD_ID]
    )
    assert detail == "ID_ART repeats the id first seen at anggota_2.csv row 2"


def test_csv_records_keep_line_breaks_quotes_and_blanks_as_delivered(landed: Path) -> None:
    assert query(
        landed,
        "SELECT id_keluarga, kode_wilayah, alamat, rt, penerima_pbi, tgl_update FROM work.accepted_dtks_keluarga "
        "ORDER BY row_number",
    ) == [
        ("K1", VILLAGE, 'JL. MAWAR "INDAH" NO. 1', "001", True, dt.date(2026, 10, 15)),
        ("K2", VILLAGE, "JL. MELATI\r\nGANG 2", "1", False, dt.date(2024, 2, 29)),
        ("K3", "32.01.01.1003", None, None, True, None),
    ]
    # the record after a quoted line break is still data row 2 of its file, and row 3 follows it
    assert query(
        landed,
        "SELECT file, row_number, id_art, nama, nik, tgl_lahir, disabilitas FROM work.accepted_dtks_anggota "
        "WHERE id_art = 'A2'",
    ) == [("anggota_2.csv", 2, "A2", "SITI\r\nAMINAH", None, None, None)]


def test_an_extra_column_is_kept_in_the_raw_table_and_not_validated(landed: Path) -> None:
    assert query(landed, "SELECT ket FROM work.raw_dtks_keluarga ORDER BY row_number") == [
        ("\x07",),
        ("baru",),
        (None,),
    ]


def test_p3ke_gzip_with_dotted_and_plain_village_codes(landed: Path) -> None:
    assert quarantined(landed, "p3ke") == {("individu.csv.gz", 2, "I2", rules.INVALID_DATE)}
    assert query(
        landed,
        "SELECT kode_kemendagri, penerima_program FROM work.accepted_p3ke_keluarga ORDER BY row_number",
    ) == [("32.01.01.1001", "PKH;BPNT"), (OTHER_VILLAGE, None)]


def test_regsosek_int64_codes_and_timestamp_dates_are_typed(landed: Path) -> None:
    assert quarantined(landed, "regsosek") - quarantined(landed, "regsosek", "20221101") == {
        ("rumah_tangga.parquet", 2, "R2", rules.UNKNOWN_REGION_CODE),
        ("individu.parquet", 2, "I2", rules.MEMBER_WITHOUT_HOUSEHOLD),
    }
    assert query(
        landed,
        "SELECT id_art, jenis_kelamin, tanggal_lahir, status_kawin, bekerja FROM work.accepted_regsosek_individu "
        "WHERE drop_id = '20221015'",
    ) == [("I1", 1, dt.date(1980, 1, 1), 2, True)]
    assert query(
        landed,
        "SELECT tanggal_pencacahan FROM work.accepted_regsosek_rumah_tangga WHERE drop_id = '20221015'",
    ) == [(dt.date(2022, 10, 15),)]


def test_regsosek_codes_and_dates_written_as_text_break_row_rules_not_the_file(landed: Path) -> None:
    assert quarantined(landed, "regsosek", "20221101") == {
        ("rumah_tangga.parquet", 2, "S2", rules.CODE_NOT_IN_SET),
        ("rumah_tangga.parquet", 2, "S2", rules.INVALID_DATE),
        ("rumah_tangga.parquet", 2, "S2", rules.UNKNOWN_REGION_CODE),
        ("individu.parquet", 1, "J1", rules.CODE_NOT_IN_SET),
        ("individu.parquet", 2, "J2", rules.INVALID_DATE),
    }
    details = query(
        landed,
        "SELECT source_record_id, rule, detail FROM work.quarantine WHERE drop_id = '20221101' ORDER BY 1, 2",
    )
    assert details == [
        ("J1", rules.CODE_NOT_IN_SET, "jenis_kelamin 'L' is not one of 1, 2"),
        ("J2", rules.INVALID_DATE, "tanggal_lahir is not a real date"),
        ("S2", rules.CODE_NOT_IN_SET, "jenis_lantai 'lantai' is not one of 1, 2, 3, 4, 5, 6, 7, 8, 9"),
        ("S2", rules.INVALID_DATE, "tanggal_pencacahan '2022-02-30' is not a real date"),
        (
            "S2",
            rules.UNKNOWN_REGION_CODE,
            "kode_desa '3201019999' is in neither the 2022 nor the 2025 Kemendagri village list",
        ),
    ]
    assert query(
        landed,
        "SELECT id_art, jenis_kelamin, tanggal_lahir, hubungan_krt FROM work.accepted_regsosek_individu "
        "WHERE drop_id = '20221101'",
    ) == [("J3", 2, dt.date(1990, 5, 6), 3)]


def test_delta_events_fill_only_what_changes_and_unknown_niks_are_quarantined(landed: Path) -> None:
    assert quarantined(landed, "dukcapil") == {("peristiwa.csv", 5, "E5", rules.UNKNOWN_NIK_EVENT)}
    [(detail,)] = query(landed, "SELECT detail FROM work.quarantine WHERE source = 'dukcapil'")
    assert detail == "MATI event for NIK 3201********0042, which Dukcapil does not know"
    assert query(
        landed,
        "SELECT id_peristiwa, jenis_peristiwa, tanggal_peristiwa, no_kk, nama_lengkap, kode_wilayah, "
        "tanggal_lahir FROM work.accepted_dukcapil_peristiwa ORDER BY row_number",
    ) == [
        ("E1", "LAHIR", dt.date(2026, 11, 21), "3201010101200001", "SARI", None, dt.date(2026, 11, 21)),
        ("E2", "PINDAH", dt.date(2026, 11, 22), None, None, OTHER_VILLAGE, None),
        ("E3", "MATI", dt.date(2026, 11, 23), None, None, None, None),
        ("E4", "UBAH_DATA", dt.date(2026, 11, 23), None, "DEWI LESTARI", None, None),
    ]
