"""What validate receives: the raw tables' shape, lineage and values, and the row accounting guarding them."""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow as pa
from support.extract_harness import (
    DataFile,
    Extract,
    csv_lines,
    csv_text_file,
    good_file,
    parquet_bytes,
    typed_table,
)

from assets.extract.invariants import raw_row_problems
from assets.extract.raw_tables import all_raw_tables
from sejahtera.sources.dtks import ANGGOTA as DTKS_ANGGOTA
from sejahtera.sources.dtks import KELUARGA as DTKS_KELUARGA
from sejahtera.sources.dukcapil import PENDUDUK


def test_every_raw_table_exists_with_lineage_first(extract: Extract) -> None:
    extract.landing.deliver("dtks", "20261101")
    extract.run()
    for table in all_raw_tables():
        columns = [name for name, *_ in extract.query(f"DESCRIBE {table}")]
        assert columns[:4] == ["source", "drop_id", "file", "row_number"]
    anggota = extract.query("DESCRIBE work.raw_dtks_anggota")
    assert {name: kind for name, kind, *_ in anggota}["hub_kel"] == "VARCHAR"  # CSV: strings, typed later
    penduduk = {name: kind for name, kind, *_ in extract.query("DESCRIBE work.raw_dukcapil_penduduk")}
    assert penduduk["tanggal_lahir"] == "DATE"
    assert extract.query("SELECT count(*) FROM work.raw_dukcapil_penduduk")[0][0] == 0


def test_several_files_of_one_entity_are_stacked_with_their_own_row_numbers(extract: Extract) -> None:
    lines = csv_lines(DTKS_ANGGOTA, 5)
    part1 = DataFile("anggota_1.csv", "anggota", ("\n".join(lines[:3]) + "\n").encode(), 2)
    extra_header = lines[0] + ";KETERANGAN"
    part2 = DataFile(
        "anggota_2.csv",
        "anggota",
        ("\n".join([extra_header, *(line + ";catatan" for line in lines[3:])]) + "\n").encode(),
        3,
    )
    extract.landing.deliver("dtks", "20261101", files=[good_file(DTKS_KELUARGA), part1, part2])
    extract.run()
    rows = extract.query(
        "SELECT file, row_number, id_art, keterangan FROM work.raw_dtks_anggota ORDER BY file, row_number"
    )
    assert rows == [
        ("anggota_1.csv", 1, "ANG00000", None),
        ("anggota_1.csv", 2, "ANG00001", None),
        ("anggota_2.csv", 1, "ANG00002", "catatan"),
        ("anggota_2.csv", 2, "ANG00003", "catatan"),
        ("anggota_2.csv", 3, "ANG00004", "catatan"),
    ]
    assert extract.query("SELECT file, rows FROM work.drop_file WHERE entity = 'anggota' ORDER BY file") == [
        ("anggota_1.csv", 2),
        ("anggota_2.csv", 3),
    ]


def test_two_drops_of_a_source_in_one_run_share_the_raw_tables(extract: Extract) -> None:
    extract.landing.deliver("dukcapil", "20261101T0600", "delta", rows=2)
    extract.landing.deliver("dukcapil", "20261102T0600", "delta", rows=4)
    extract.run()
    assert extract.query(
        "SELECT drop_id, count(*) FROM work.raw_dukcapil_peristiwa GROUP BY drop_id ORDER BY drop_id"
    ) == [("20261101T0600", 2), ("20261102T0600", 4)]


def test_parquet_values_keep_their_types(extract: Extract) -> None:
    table = typed_table(PENDUDUK, 2)
    index = table.schema.get_field_index("tanggal_meninggal")
    table = table.set_column(index, "tanggal_meninggal", pa.array([None, date(2025, 5, 1)], pa.date32()))
    extract.landing.deliver(
        "dukcapil", "20261101", files=[DataFile("penduduk.parquet", "penduduk", parquet_bytes(table), 2)]
    )
    extract.run()
    assert extract.query(
        "SELECT row_number, tanggal_lahir, tanggal_meninggal FROM work.raw_dukcapil_penduduk ORDER BY 1"
    ) == [(1, date(1990, 1, 1), None), (2, date(1990, 1, 2), date(2025, 5, 1))]


def test_a_file_with_zero_rows_loads(extract: Extract) -> None:
    empty = csv_text_file(DTKS_ANGGOTA, csv_lines(DTKS_ANGGOTA, 0), 0)
    extract.landing.deliver("dtks", "20261101", files=[good_file(DTKS_KELUARGA), empty])
    result = extract.run()
    assert extract.drops()["dtks.20261101"] == ("loaded", None)
    assert all(c.passed for c in result.get_asset_check_evaluations())


def test_row_accounting_finds_staged_rows_that_do_not_match(extract: Extract) -> None:
    extract.landing.deliver("dtks", "20261101")
    extract.landing.deliver("p3ke", "20261101", edit_manifest=lambda m: m.update(kind="delta"))
    extract.run()
    with duckdb.connect(str(extract.warehouse)) as con:
        assert raw_row_problems(con) == ([], 2)
        con.execute("DELETE FROM work.raw_dtks_anggota WHERE row_number = 2")
        con.execute(
            "INSERT INTO work.raw_p3ke_keluarga (source, drop_id, file, row_number) "
            "VALUES ('p3ke', '20261101', 'keluarga.csv.gz', 1)"
        )
        problems, _ = raw_row_problems(con)
    assert problems == [
        "work.raw_dtks_anggota: dtks.20261101 anggota.csv: 2 rows numbered 1..3, manifest lists 3",
        "work.raw_p3ke_keluarga: rows of p3ke.20261101, which was not loaded",
    ]
