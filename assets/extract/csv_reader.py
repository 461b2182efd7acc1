"""Decoding a delivered CSV file into an Arrow table of strings, or rejecting it with the row at fault.

Two passes, each doing what it is good at:

1. A strict structural pass with Python's :mod:`csv` (about 0.6 s per million rows): decodes the text in the
   source's encoding, counts CSV records (a quoted field may hold a line break), and stops at the first record
   with broken quoting or the wrong number of fields, naming it. PyArrow's reader is lenient about quoting
   (``"5"x`` reads as ``5x``) and cannot say which record failed once values may span lines.
2. PyArrow's multi-threaded reader builds the columns (about 0.2 s per million rows), every column a string,
   empty strings as NULL (contract section 2: empty strings are missing values).

Reasons never quote the offending text: it may be personal data.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from pathlib import Path
from typing import TextIO

import pyarrow as pa
import pyarrow.csv as pacsv

from assets.extract.columns import normalise_header, require_columns
from assets.extract.outcome import FileRejected
from sejahtera.sources import EntitySpec
from sejahtera.sources.spec import CsvFormat

ARROW_BLOCK_BYTES = 16 << 20
"""PyArrow's parsing block: large enough that a long quoted value never straddles too many blocks."""


def read_csv_file(path: Path, name: str, spec: EntitySpec) -> pa.Table:
    """The file's rows as strings under lower-cased column names, after every integrity check CSV allows."""
    assert spec.csv is not None, f"{spec.entity} is declared as CSV without a CSV format"
    fmt = spec.csv
    header, records = count_records(path, name, fmt)
    keys = normalise_header(name, header)
    require_columns(name, spec, keys)
    table = _read_columns(path, name, fmt, keys)
    if table.num_rows != records:
        raise FileRejected(
            f"{name}: CSV records could not be counted unambiguously ({records} vs {table.num_rows})"
        )
    return table


def count_records(path: Path, name: str, fmt: CsvFormat) -> tuple[list[str], int]:
    """The header's names and the number of data records; rejects what is not well-formed CSV.

    Blank lines between records are not records (every CSV reader skips them).
    """
    header: list[str] | None = None
    records = 0
    try:
        with _open_text(path, fmt, errors="strict") as text:
            reader = csv.reader(text, **_dialect(fmt), strict=True)
            header = next(reader, None)
            if not header:
                raise FileRejected(f"{name}: empty file, no header row")
            for record in reader:
                if not record:
                    continue
                records += 1
                if len(record) != len(header):
                    raise FileRejected(
                        f"{name}: row {records}: wrong field count ({len(record)} fields, the header has "
                        f"{len(header)})"
                    )
    except csv.Error as exc:
        where = "header" if header is None else f"row {records + 1}"
        raise FileRejected(f"{name}: {where}: broken CSV quoting ({exc})") from None
    except UnicodeDecodeError:
        where = _first_undecodable_record(path, fmt)
        raise FileRejected(f"{name}: {where}: not valid {fmt.encoding} text") from None
    except (gzip.BadGzipFile, EOFError, zlib.error):
        raise FileRejected(f"{name}: not a valid gzip file (truncated or corrupt)") from None
    except OSError as exc:
        raise FileRejected(f"{name}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    return header, records


def _read_columns(path: Path, name: str, fmt: CsvFormat, keys: list[str]) -> pa.Table:
    read = pacsv.ReadOptions(
        column_names=keys,
        skip_rows=1,
        encoding=_arrow_encoding(fmt.encoding),
        block_size=ARROW_BLOCK_BYTES,
    )
    parse = pacsv.ParseOptions(
        delimiter=fmt.delimiter,
        quote_char=fmt.quote,
        double_quote=True,
        escape_char=False,
        newlines_in_values=True,
        ignore_empty_lines=True,
    )
    convert = pacsv.ConvertOptions(
        column_types=dict.fromkeys(keys, pa.string()),
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        check_utf8=True,
    )
    try:
        with pa.input_stream(str(path), compression=fmt.compression) as stream:
            return pacsv.read_csv(stream, read_options=read, parse_options=parse, convert_options=convert)
    except (pa.ArrowException, OSError):
        raise FileRejected(f"{name}: cannot be decoded as CSV") from None


def _first_undecodable_record(path: Path, fmt: CsvFormat) -> str:
    """Where the first undecodable byte is (slow path, only for a file already known to be bad).

    Decoding with ``surrogateescape`` turns each bad byte into a lone surrogate, which no record may hold.
    """
    records = 0
    try:
        with _open_text(path, fmt, errors="surrogateescape") as text:
            for number, record in enumerate(csv.reader(text, **_dialect(fmt))):
                if number == 0:
                    where = "header"
                elif not record:
                    continue
                else:
                    records += 1
                    where = f"row {records}"
                try:
                    "".join(record).encode("utf-8")
                except UnicodeEncodeError:
                    return where
    except (csv.Error, OSError, EOFError, zlib.error, UnicodeError):
        pass
    return "somewhere"


def _open_text(path: Path, fmt: CsvFormat, errors: str) -> TextIO:
    binary = gzip.open(path, "rb") if fmt.compression == "gzip" else open(path, "rb")  # noqa: SIM115
    return io.TextIOWrapper(binary, encoding=_python_encoding(fmt.encoding), errors=errors, newline="")


def _dialect(fmt: CsvFormat) -> dict:
    return {"delimiter": fmt.delimiter, "quotechar": fmt.quote, "doublequote": True}


def _python_encoding(encoding: str) -> str:
    """UTF-8 files may begin with a byte-order mark (DTKS's do): decode them with ``utf-8-sig``."""
    return "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding


def _arrow_encoding(encoding: str) -> str:
    return "utf8" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
