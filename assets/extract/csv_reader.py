"""Decoding a delivered CSV file into an Arrow table of strings, or rejecting it with the row at fault.

Two passes, each doing what it is good at:

1. A strict structural pass with Python's :mod:`csv` (about 0.6 s per million rows): decodes the text in the
   source's encoding, counts CSV records (a quoted field may hold a line break), and stops at the first record
   with broken quoting or the wrong number of fields, naming it. PyArrow's reader is lenient about quoting
   (``"5"x`` reads as ``5x``) and cannot say which record failed once values may span lines.
2. PyArrow's multi-threaded reader builds the columns (about 0.2 s per million rows), every column a string,
   empty strings as NULL (contract section 2: empty strings are missing values).

The structural pass streams and enforces the read limits (``assets/extract/read_limits.py``) as it goes: the
decompressed size (a gzip bomb stops after the limit, not at the end), the field length (Python's csv module
would call a field over 128 KiB "broken quoting"), the columns, and the manifest's row count (a file far longer
than announced stops at the first extra record). PyArrow's pass runs only on a file that passed all of them.

Reasons never quote the offending text: it may be personal data.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO, TextIO

import pyarrow as pa
import pyarrow.csv as pacsv

from assets.extract.columns import normalise_header, require_columns
from assets.extract.outcome import FileRejected
from assets.extract.read_limits import ReadLimits, read_limits
from assets.extract.safe_files import DataSource, at_start
from sejahtera.sources import EntitySpec
from sejahtera.sources.spec import CsvFormat

ARROW_BLOCK_BYTES = 16 << 20
"""PyArrow's parsing block: large enough that a long quoted value never straddles too many blocks."""

READ_CHUNK_BYTES = 1 << 20
"""How much the structural pass reads at a time (the limits are checked once per chunk)."""

FIELD_LIMIT_ERROR = "field larger than field limit"
"""How Python's csv module says a field exceeds ``csv.field_size_limit``."""


def read_csv_file(
    source: DataSource,
    name: str,
    spec: EntitySpec,
    expected_rows: int | None = None,
    limits: ReadLimits | None = None,
) -> pa.Table:
    """The file's rows as strings under lower-cased column names, after every integrity check CSV allows.

    With ``expected_rows`` (the manifest's count) the structural pass stops at the first record beyond it, so a
    file far longer than announced is never read whole.
    """
    assert spec.csv is not None, f"{spec.entity} is declared as CSV without a CSV format"
    fmt = spec.csv
    limits = limits or read_limits()
    header, records = count_records(source, name, fmt, expected_rows, limits)
    keys = normalise_header(name, header)
    require_columns(name, spec, keys)
    table = _read_columns(source, name, fmt, keys, limits)
    if table.num_rows != records:
        raise FileRejected(
            f"{name}: CSV records could not be counted unambiguously ({records} vs {table.num_rows})"
        )
    return table


def count_records(
    source: DataSource,
    name: str,
    fmt: CsvFormat,
    expected_rows: int | None = None,
    limits: ReadLimits | None = None,
) -> tuple[list[str], int]:
    """The header's names and the number of data records; rejects what is not well-formed CSV.

    Blank lines between records are not records (every CSV reader skips them). Streams: memory holds one record
    at a time, the decompressed bytes and the field length are checked against ``limits`` as they are read.
    """
    limits = limits or read_limits()
    header: list[str] | None = None
    records = 0
    try:
        with _open_text(source, fmt, "strict", name, limits) as text, _field_limit(limits.max_field_chars):
            reader = csv.reader(text, **_dialect(fmt), strict=True)
            header = next(reader, None)
            if not header:
                raise FileRejected(f"{name}: empty file, no header row")
            if len(header) > limits.max_columns:
                raise FileRejected(
                    f"{name}: header: {len(header):,} columns, more than {limits.describe('max_columns')}"
                )
            for record in reader:
                if not record:
                    continue
                records += 1
                if len(record) != len(header):
                    raise FileRejected(
                        f"{name}: row {records}: wrong field count ({len(record)} fields, the header has "
                        f"{len(header)})"
                    )
                if expected_rows is not None and records > expected_rows:
                    raise FileRejected(
                        f"{name}: row count differs: more than {expected_rows} rows, manifest says {expected_rows}"
                    )
    except csv.Error as exc:
        where = "header" if header is None else f"row {records + 1}"
        if FIELD_LIMIT_ERROR in str(exc):
            raise FileRejected(
                f"{name}: {where}: a field is longer than {limits.describe('max_field_chars')} characters"
            ) from None
        raise FileRejected(f"{name}: {where}: broken CSV quoting ({exc})") from None
    except UnicodeDecodeError:
        where = _first_undecodable_record(source, fmt, name, limits)
        raise FileRejected(f"{name}: {where}: not valid {fmt.encoding} text") from None
    except (gzip.BadGzipFile, EOFError, zlib.error):
        raise FileRejected(f"{name}: not a valid gzip file (truncated or corrupt)") from None
    except OSError as exc:
        raise FileRejected(f"{name}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    return header, records


def _read_columns(
    source: DataSource, name: str, fmt: CsvFormat, keys: list[str], limits: ReadLimits
) -> pa.Table:
    read = pacsv.ReadOptions(
        column_names=keys,
        skip_rows=1,
        encoding=_arrow_encoding(fmt.encoding),
        # a block must hold the longest field the structural pass let through (4 bytes a character at most)
        block_size=max(ARROW_BLOCK_BYTES, 4 * limits.max_field_chars + (1 << 20)),
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
        with at_start(source) as binary, pa.input_stream(binary, compression=fmt.compression) as stream:
            return pacsv.read_csv(stream, read_options=read, parse_options=parse, convert_options=convert)
    except (pa.ArrowException, OSError):
        raise FileRejected(f"{name}: cannot be decoded as CSV") from None


def _first_undecodable_record(source: DataSource, fmt: CsvFormat, name: str, limits: ReadLimits) -> str:
    """Where the first undecodable byte is (slow path, only for a file already known to be bad).

    Decoding with ``surrogateescape`` turns each bad byte into a lone surrogate, which no record may hold.
    """
    records = 0
    try:
        with (
            _open_text(source, fmt, "surrogateescape", name, limits) as text,
            _field_limit(limits.max_field_chars),
        ):
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
    except (csv.Error, OSError, EOFError, zlib.error, UnicodeError, FileRejected):
        pass
    return "somewhere"


class _BoundedReader(io.RawIOBase):
    """A binary stream that counts the bytes it hands out and rejects the file once they pass its limits.

    Counting the decompressed side catches a gzip bomb after at most ``max_file_bytes`` (or ``max_gzip_ratio``
    times the compressed size) of work, however far it would expand.
    """

    def __init__(self, inner: BinaryIO, name: str, limits: ReadLimits, compressed_bytes: int | None) -> None:
        super().__init__()
        self._inner = inner
        self._name = name
        self._limits = limits
        self._compressed_bytes = compressed_bytes
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._inner.readinto(buffer)
        self._count += count
        if self._count > self._limits.max_file_bytes:
            raise FileRejected(
                f"{self._name}: more than {self._limits.describe('max_file_bytes')} bytes once decompressed"
            )
        if (
            self._compressed_bytes is not None
            and self._count > (1 << 20)
            and self._count > self._limits.max_gzip_ratio * self._compressed_bytes
        ):
            raise FileRejected(
                f"{self._name}: gzip expands more than {self._limits.max_gzip_ratio}:1 "
                f"({self._limits.describe('max_gzip_ratio')}): not a data file"
            )
        return count


@contextmanager
def _open_text(
    source: DataSource, fmt: CsvFormat, errors: str, name: str, limits: ReadLimits
) -> Iterator[TextIO]:
    with at_start(source) as raw:
        if fmt.compression == "gzip":
            compressed_bytes = os.fstat(raw.fileno()).st_size
            binary: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb")
        else:
            compressed_bytes, binary = None, raw
        bounded = io.BufferedReader(_BoundedReader(binary, name, limits, compressed_bytes), READ_CHUNK_BYTES)
        text = io.TextIOWrapper(bounded, encoding=_python_encoding(fmt.encoding), errors=errors, newline="")
        try:
            yield text
        finally:
            text.detach()  # the caller's handle stays open; _rewound closes what it opened


@contextmanager
def _field_limit(chars: int) -> Iterator[None]:
    """Python's csv field limit raised to the configured one for this read (it is per process)."""
    previous = csv.field_size_limit(chars)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _dialect(fmt: CsvFormat) -> dict:
    return {"delimiter": fmt.delimiter, "quotechar": fmt.quote, "doublequote": True}


def _python_encoding(encoding: str) -> str:
    """UTF-8 files may begin with a byte-order mark (DTKS's do): decode them with ``utf-8-sig``."""
    return "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding


def _arrow_encoding(encoding: str) -> str:
    return "utf8" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
