"""Every source's records in one canonical shape: work.person_record and work.household_record."""

from datetime import date

from support.duck import query
from support.identities import kk, nik
from support.snapshots import VILLAGE, Snapshots

from assets.reconcile import standardise
from sejahtera import warehouse

PERSON_COLUMNS = [
    "source", "drop_id", "file", "row_number", "source_record_id", "source_household_id", "nik", "nik_problem",
    "nama", "nama_raw", "gelar", "jenis_kelamin", "tanggal_lahir", "hubungan", "no_kk", "kode_wilayah", "alamat",
    "status_hidup", "tanggal_meninggal", "observed_at", "person_id", "match_method", "match_probability",
]  # fmt: skip
HOUSEHOLD_COLUMNS = [
    "source", "drop_id", "file", "row_number", "source_record_id", "no_kk", "kode_wilayah", "alamat",
    "observed_at", "household_id", "match_method", "match_probability",
]  # fmt: skip

HEAD = nik("1970-03-05", "L", 1)


def _standardise(snaps: Snapshots, path) -> None:
    snaps.write(path)
    with warehouse.connect(path) as con:
        standardise.build_records(con)


def _one_of_each_source() -> Snapshots:
    snaps = Snapshots()
    snaps.penduduk(HEAD, "BUDI SANTOSO", "L", "1970-03-05", kk(1))
    snaps.dtks_keluarga("D1", kk(1))
    snaps.dtks_anggota("D1-1", "D1", HEAD, "Drs. Budi Santoso", "L", "1970-03-05", 1)
    snaps.regsosek_rt("R1", kk(1))
    snaps.regsosek_art("R1-1", "R1", HEAD, "BUDI  SANTOSO", "L", "1970-03-05", 1)
    snaps.p3ke_keluarga("K1", kk(1))
    snaps.p3ke_individu("K1-1", "K1", HEAD, "budi santoso", "L", "1970-03-05", "Kepala Keluarga")
    return snaps


def test_the_tables_have_the_architecture_s_columns_first(warehouse_path):
    _standardise(_one_of_each_source(), warehouse_path)
    columns = [
        r[0] for r in query(warehouse_path, "SELECT name FROM pragma_table_info('work.person_record')")
    ]
    assert columns[: len(PERSON_COLUMNS)] == PERSON_COLUMNS
    columns = [
        r[0] for r in query(warehouse_path, "SELECT name FROM pragma_table_info('work.household_record')")
    ]
    assert columns[: len(HOUSEHOLD_COLUMNS)] == HOUSEHOLD_COLUMNS


def test_every_source_in_one_shape(warehouse_path):
    _standardise(_one_of_each_source(), warehouse_path)
    rows = query(
        warehouse_path,
        "SELECT source, source_record_id, source_household_id, nik, nama, gelar, jenis_kelamin, tanggal_lahir, "
        "hubungan, no_kk, kode_wilayah FROM work.person_record ORDER BY source",
    )
    same = (HEAD, "BUDI SANTOSO")
    assert [r[:2] for r in rows] == [
        ("dtks", "D1-1"),
        ("dukcapil", HEAD),
        ("p3ke", "K1-1"),
        ("regsosek", "R1-1"),
    ]
    for row in rows:
        assert row[3:5] == same
        assert row[6:8] == ("L", date(1970, 3, 5))
        assert row[9:] == (kk(1), VILLAGE)  # P3KE's dotted village code is 10 digits now
    assert rows[0][5] == "DRS"
    assert [r[8] for r in rows] == [1, None, 1, 1]  # Dukcapil delivers no relationship
    assert rows[1][2] == kk(1)  # a Dukcapil person's household key is its KK
    households = query(warehouse_path, "SELECT source, kode_wilayah FROM work.household_record ORDER BY 1")
    assert households == [("dtks", VILLAGE), ("p3ke", VILLAGE), ("regsosek", VILLAGE)]


def test_p3ke_relationships_map_to_codes_1_to_8(warehouse_path):
    snaps = Snapshots()
    snaps.p3ke_keluarga("K1", kk(1))
    texts = ["Kepala Keluarga", "Istri", "Suami", "Anak", "Menantu", "Cucu", "Orang Tua", "Mertua", "Famili Lain",
             "Lainnya"]  # fmt: skip
    for i, text in enumerate(texts):
        snaps.p3ke_individu(f"K1-{i}", "K1", None, f"ORANG {i}", "L", "1990-01-01", text)
    _standardise(snaps, warehouse_path)
    codes = query(warehouse_path, "SELECT hubungan FROM work.person_record ORDER BY row_number")
    assert [c[0] for c in codes] == [1, 2, 2, 3, 4, 5, 6, 6, 7, 8]


def test_nik_placeholders_are_nulled_for_linkage_and_the_reason_kept(warehouse_path):
    snaps = Snapshots()
    snaps.dtks_keluarga("D1", "0000000000000000")
    cases = {
        "blank": (None, None, None),
        "zeros": ("0000000000000000", None, "all_zeros"),
        "repeated": ("1111111111111111", None, "placeholder"),  # well-formed by the contract's rule
        "serial0": ("3201010503700000", None, "serial_zero"),
        "short": ("320101050370001", "320101050370001", "not_16_digits"),  # a typo: still useful to link
        "spaced": ("3201 0105 0370 0001", "3201010503700001", "not_16_digits"),
        "month13": ("3201010513700001", "3201010513700001", "month_out_of_range"),
        "good": (HEAD, HEAD, None),
    }
    for i, (raw, _, _) in enumerate(cases.values()):
        snaps.dtks_anggota(f"D1-{i}", "D1", raw, f"ORANG {i}", "L", "1970-03-05", 3)
    _standardise(snaps, warehouse_path)
    rows = query(
        warehouse_path, "SELECT nik_raw, nik, nik_problem, no_kk FROM work.person_record ORDER BY row_number"
    )
    for (raw, linkage, problem), row in zip(cases.values(), rows, strict=True):
        assert row[:3] == (raw, linkage, problem)
        assert row[3] is None  # the KK placeholder too


def test_no_row_is_lost_and_sex_codes_map_from_every_source(warehouse_path):
    snaps = _one_of_each_source()
    snaps.regsosek_art("R1-2", "R1", None, "SITI", "P", "1975-01-01", 2)
    snaps.p3ke_individu("K1-2", "K1", None, "SITI", "P", "1975-01-01", "Istri")
    _standardise(snaps, warehouse_path)
    counts = query(
        warehouse_path,
        "SELECT source, count(*), count(jenis_kelamin) FROM work.person_record GROUP BY 1 ORDER BY 1",
    )
    assert counts == [("dtks", 1, 1), ("dukcapil", 1, 1), ("p3ke", 2, 2), ("regsosek", 2, 2)]
