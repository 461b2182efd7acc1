"""Decoding delivered files: each source's CSV dialect and Parquet types, on real files in tmp dirs."""

from __future__ import annotations

import csv
import gzip
import io
import string
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.extract_harness import csv_lines, typed_table

from assets.extract.csv_reader import read_csv_file
from assets.extract.outcome import FileRejected
from assets.extract.parquet_reader import read_parquet_file
from sejahtera.sources.dtks import ANGGOTA as DTKS_ANGGOTA
from sejahtera.sources.dukcapil import PENDUDUK, PERISTIWA
from sejahtera.sources.p3ke import INDIVIDU as P3KE_INDIVIDU
from sejahtera.sources.regsosek import INDIVIDU as REGSOSEK_INDIVIDU
from sejahtera.sources.regsosek import RUMAH_TANGGA as REGSOSEK_RT


def with_column(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
    """``table`` with column ``name`` replaced by ``values`` (a column of another type, in a test)."""
    return table.set_column(table.schema.get_field_index(name), name, values)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_dtks_csv_with_bom_quoted_header_and_quoted_line_break(tmp_path: Path) -> None:
    lines = csv_lines(DTKS_ANGGOTA, 2)
    header = ";".join(f'" {name.lower()} "' if i == 0 else name for i, name in enumerate(lines[0].split(";")))
    second = lines[2].replace("JL. MELATI NO. 1", '"GG. MAWAR\nRT 01"', 1)
    data = "\ufeff" + "\r\n".join([header, lines[1], second]) + "\r\n"
    table = read_csv_file(write(tmp_path / "anggota.csv", data.encode()), "anggota.csv", DTKS_ANGGOTA)
    assert table.num_rows == 2
    assert table.column_names[:3] == ["id_art", "id_keluarga", "nik"]
    assert table.column("nama").to_pylist() == ["JL. MELATI NO. 0", "GG. MAWAR\nRT 01"]
    assert all(table.schema.field(n).type == pa.string() for n in table.column_names)


def test_empty_strings_are_null_quoted_or_not(tmp_path: Path) -> None:
    lines = csv_lines(DTKS_ANGGOTA, 1)
    fields = lines[1].split(";")
    fields[3] = ""
    fields[5] = '""'
    table = read_csv_file(
        write(tmp_path / "a.csv", ("\n".join([lines[0], ";".join(fields)]) + "\n").encode()),
        "a.csv",
        DTKS_ANGGOTA,
    )
    assert table.column("nama").to_pylist() == [None]
    assert table.column("tmp_lahir").to_pylist() == [None]
    assert table.column("id_art").to_pylist() == ["ANG00000"]


def test_p3ke_gzip_csv_keeps_leading_zeros_and_dots(tmp_path: Path) -> None:
    lines = csv_lines(P3KE_INDIVIDU, 1)
    fields = lines[1].split(",")
    fields[2] = "0012345678901234"
    data = gzip.compress(("\n".join([lines[0], ",".join(fields)]) + "\n").encode())
    table = read_csv_file(write(tmp_path / "individu.csv.gz", data), "individu.csv.gz", P3KE_INDIVIDU)
    assert table.column("nik").to_pylist() == ["0012345678901234"]


def test_extra_columns_are_kept_and_lineage_names_renamed(tmp_path: Path) -> None:
    lines = csv_lines(PERISTIWA, 1)
    data = f"{lines[0]},Keterangan,source\n{lines[1]},pindah datang,kua\n"
    table = read_csv_file(write(tmp_path / "p.csv", data.encode()), "p.csv", PERISTIWA)
    assert table.column_names[-2:] == ["keterangan", "delivered_source"]
    assert table.column("keterangan").to_pylist() == ["pindah datang"]


def test_blank_lines_are_not_records(tmp_path: Path) -> None:
    lines = csv_lines(PERISTIWA, 2)
    data = "\n".join([lines[0], lines[1], "", lines[2], "", ""]) + "\n"
    assert read_csv_file(write(tmp_path / "p.csv", data.encode()), "p.csv", PERISTIWA).num_rows == 2


def test_header_only_is_zero_rows(tmp_path: Path) -> None:
    data = csv_lines(PERISTIWA, 0)[0] + "\n"
    assert read_csv_file(write(tmp_path / "p.csv", data.encode()), "p.csv", PERISTIWA).num_rows == 0


def test_unterminated_quote_at_the_end_names_its_row(tmp_path: Path) -> None:
    lines = csv_lines(PERISTIWA, 3)
    lines[3] = lines[3][:-3] + '"' + lines[3][-3:]
    lines[3] = lines[3].replace(",", ',"', 1)
    data = ("\n".join(lines) + "\n").encode()
    with pytest.raises(FileRejected, match=r"^p\.csv: row 3: broken CSV quoting"):
        read_csv_file(write(tmp_path / "p.csv", data), "p.csv", PERISTIWA)


def test_bad_utf8_in_the_header_is_named(tmp_path: Path) -> None:
    data = b"id_peristiwa\xff," + ("\n".join(csv_lines(PERISTIWA, 1)).split(",", 1)[1] + "\n").encode()
    with pytest.raises(FileRejected, match=r"^p\.csv: header: not valid utf-8 text$"):
        read_csv_file(write(tmp_path / "p.csv", data), "p.csv", PERISTIWA)


CELL = st.text(alphabet=string.ascii_letters + string.digits + ' ;,"\n\r\t.-éÖ\u00a0', max_size=12)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(CELL, min_size=11, max_size=11), max_size=6), st.booleans())
def test_any_table_written_by_a_csv_writer_reads_back(
    tmp_path: Path, records: list[list[str]], bom: bool
) -> None:
    """Round trip: quoting, delimiters, line breaks inside values, BOM; '' reads as NULL."""
    header = [c.name for c in PERISTIWA.columns]
    text = io.StringIO(newline="")
    csv.writer(text, delimiter=",", quotechar='"', lineterminator="\r\n").writerows([header, *records])
    path = write(tmp_path / "p.csv", (("\ufeff" if bom else "") + text.getvalue()).encode())
    table = read_csv_file(path, "p.csv", PERISTIWA)
    assert table.num_rows == len(records)
    for index, column in enumerate(PERISTIWA.columns):
        assert table.column(column.key).to_pylist() == [r[index] if r[index] != "" else None for r in records]


def test_parquet_declared_columns_are_cast_to_their_declared_types(tmp_path: Path) -> None:
    table = typed_table(REGSOSEK_RT, 2)
    table = with_column(table, "jumlah_art", pa.array([3, 4], pa.int64()))  # wider than declared
    table = with_column(
        table,
        "tanggal_pencacahan",
        pa.array([datetime(2022, 10, 1), datetime(2022, 10, 2)], pa.timestamp("us")),
    )
    table = table.append_column("Catatan_Petugas", pa.array([1.5, None]))
    path = tmp_path / "rt.parquet"
    pq.write_table(table, path)
    read = read_parquet_file(path, "rt.parquet", REGSOSEK_RT)
    assert read.schema.field("jumlah_art").type == pa.int32()
    assert read.column("tanggal_pencacahan").to_pylist() == [date(2022, 10, 1), date(2022, 10, 2)]
    assert read.schema.field("aset_motor").type == pa.bool_()
    assert read.schema.field("catatan_petugas").type == pa.float64()  # extra: own type, lower-cased name


def test_parquet_integer_that_would_overflow_is_rejected_with_its_row(tmp_path: Path) -> None:
    table = with_column(typed_table(REGSOSEK_RT, 3), "jumlah_art", pa.array([1, 2, 2**40], pa.int64()))
    path = tmp_path / "rt.parquet"
    pq.write_table(table, path)
    with pytest.raises(
        FileRejected, match=r"row 3: column jumlah_art of type int64 cannot be cast to INTEGER"
    ):
        read_parquet_file(path, "rt.parquet", REGSOSEK_RT)


def test_parquet_nulls_survive_the_cast(tmp_path: Path) -> None:
    table = with_column(typed_table(PENDUDUK, 2), "tanggal_meninggal", pa.array([None, None], pa.null()))
    path = tmp_path / "p.parquet"
    pq.write_table(table, path)
    read = read_parquet_file(path, "p.parquet", PENDUDUK)
    assert read.schema.field("tanggal_meninggal").type == pa.date32()
    assert read.column("tanggal_meninggal").null_count == 2


def test_parquet_whole_numbers_stored_as_floats_keep_their_digits_as_text(tmp_path: Path) -> None:
    """A tool that writes an NIK, a KK or an id column holding gaps as float64 (pandas does) must not turn
    ``3201010101800001`` into ``3.201010101800001e+15``: whole numbers read back as their digits."""
    table = with_column(
        typed_table(REGSOSEK_INDIVIDU, 3), "nik", pa.array([3201010101800001.0, None, 7.0], pa.float64())
    )
    table = with_column(table, "id_rt", pa.array([1.0, 2.0, 3.0], pa.float32()))
    path = tmp_path / "i.parquet"
    pq.write_table(table, path)
    read = read_parquet_file(path, "i.parquet", REGSOSEK_INDIVIDU)
    assert read.column("nik").to_pylist() == ["3201010101800001", None, "7"]
    assert read.column("id_rt").to_pylist() == ["1", "2", "3"]


def test_parquet_fractional_numbers_in_a_text_column_are_kept_as_written(tmp_path: Path) -> None:
    table = with_column(typed_table(REGSOSEK_INDIVIDU, 2), "nama", pa.array([1.5, None], pa.float64()))
    path = tmp_path / "i.parquet"
    pq.write_table(table, path)
    assert read_parquet_file(path, "i.parquet", REGSOSEK_INDIVIDU).column("nama").to_pylist() == ["1.5", None]


def test_parquet_dates_and_codes_that_do_not_decode_are_kept_for_their_row_rule(tmp_path: Path) -> None:
    """A date or a code that is not one (``1980-02-30``, ``L``) in a Parquet column of another type breaks a row
    rule (invalid date, code not in its set), not the file: it reads as missing, and what was delivered is kept
    beside it in ``<column>__undecoded`` for the gate to quarantine the row."""
    table = with_column(typed_table(REGSOSEK_INDIVIDU, 3), "jenis_kelamin", pa.array(["1", "L", None]))
    table = with_column(table, "tanggal_lahir", pa.array(["1980-01-01", None, "1980-02-30"]))
    path = tmp_path / "i.parquet"
    pq.write_table(table, path)
    read = read_parquet_file(path, "i.parquet", REGSOSEK_INDIVIDU)
    assert read.column("jenis_kelamin").to_pylist() == [1, None, None]
    assert read.column("jenis_kelamin__undecoded").to_pylist() == [None, "L", None]
    assert read.column("tanggal_lahir").to_pylist() == [date(1980, 1, 1), None, None]
    assert read.column("tanggal_lahir__undecoded").to_pylist() == [None, None, "1980-02-30"]
    assert "status_kawin__undecoded" not in read.column_names  # only where something did not decode


def test_parquet_number_that_is_not_one_still_rejects_the_file(tmp_path: Path) -> None:
    """No row rule covers a count or an area that is not a number: the file cannot be decoded as declared."""
    table = with_column(typed_table(REGSOSEK_RT, 3), "jumlah_art", pa.array(["2", "banyak", "3"]))
    path = tmp_path / "rt.parquet"
    pq.write_table(table, path)
    with pytest.raises(
        FileRejected, match=r"row 2: column jumlah_art of type string cannot be cast to INTEGER"
    ):
        read_parquet_file(path, "rt.parquet", REGSOSEK_RT)
