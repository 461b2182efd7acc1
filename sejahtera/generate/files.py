"""Writing drops exactly as contract sections 1 and 2 describe them, byte-for-byte reproducibly.

CSV is written with Python's ``csv`` module (``"`` quoting only where needed, so a quoted field may hold a line
break), gzip with ``mtime=0`` and no file name in its header, Parquet from explicit pyarrow schemas without
pandas metadata. ``manifest.json`` is written last, when every data file is complete, and counts data rows
(CSV records, not lines).

A landing zone is generated chunk by chunk of households (:mod:`sejahtera.generate.landing_zone`), so each file
stays open while the chunks append to it (:class:`DataFileWriter`, :class:`TruthWriter`): memory holds one
chunk's rows, never a whole file.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sejahtera.generate.days import to_date32


@dataclass(frozen=True)
class CsvLayout:
    delimiter: str
    bom: bool = False
    gzip: bool = False


@dataclass
class SourceFile:
    """One data file of a drop, or one chunk's part of it: its rows (output columns plus hidden ``_`` truth
    columns) and its format."""

    source: str
    drop_id: str
    entity: str
    name: str
    role: Literal["household", "person", "event"]
    columns: tuple[str, ...]
    frame: pd.DataFrame
    record_id: str
    household_ref: str | None = None
    csv: CsvLayout | None = None
    schema: pa.Schema | None = None

    @property
    def rows(self) -> int:
        return len(self.frame)


@dataclass
class Drop:
    """One delivery: its files and the record noise put into them (``(uid, label)`` pairs, uids unique in the drop)."""

    source: str
    drop_id: str
    kind: Literal["full", "delta"]
    extracted_at: str
    files: list[SourceFile]
    noise: list[tuple[int, str]]


class DataFileWriter:
    """One data file of a drop, written chunk by chunk: the header when it is opened, each chunk's rows as they
    come (CSV records appended, gzip as one stream, Parquet one row group per chunk), so no file is ever held in
    memory whole. :meth:`close` returns the manifest entry, hashing the finished file as written."""

    def __init__(self, folder: Path, first: SourceFile) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / first.name
        self.name = first.name
        self.entity = first.entity
        self.columns = first.columns
        self.layout = first.csv
        self.rows = 0
        self._raw: BinaryIO | None = None
        self._gzip: gzip.GzipFile | None = None
        self._parquet: pq.ParquetWriter | None = None
        if self.layout is not None:
            self._raw = self.path.open("wb")
            if self.layout.gzip:
                self._gzip = gzip.GzipFile(
                    filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=6
                )
            self._csv_text = io.StringIO()
            self._csv = csv.writer(
                self._csv_text, delimiter=self.layout.delimiter, quotechar='"', lineterminator="\n"
            )
            self._csv.writerow(self.columns)
            self._write_csv_text(b"\xef\xbb\xbf" if self.layout.bom else b"")
        else:
            assert first.schema is not None
            self._parquet = pq.ParquetWriter(self.path, first.schema, compression="zstd")
            self.schema = first.schema

    def append(self, file: SourceFile) -> None:
        """Append the rows of one chunk (the same file of the same drop)."""
        assert file.name == self.name
        if self.layout is not None:
            values = file.frame.loc[:, list(self.columns)]
            self._csv.writerows(
                values.astype(object).where(values.notna(), "").itertuples(index=False, name=None)
            )
            self._write_csv_text()
        else:
            assert self._parquet is not None
            self._parquet.write_table(arrow_table(file.frame, self.schema))
        self.rows += file.rows

    def _write_csv_text(self, prefix: bytes = b"") -> None:
        data = prefix + self._csv_text.getvalue().encode("utf-8")
        self._csv_text.seek(0)
        self._csv_text.truncate()
        sink = self._gzip or self._raw
        assert sink is not None
        sink.write(data)

    def close(self) -> dict[str, object]:
        """Finish the file; return its manifest entry."""
        self.abandon()
        return {"name": self.name, "entity": self.entity, "rows": self.rows, "sha256": file_sha256(self.path)}

    def abandon(self) -> None:
        """Close the file as it is (also what :meth:`close` does before hashing it)."""
        for handle in (self._parquet, self._gzip, self._raw):
            if handle is not None:
                handle.close()


class TruthWriter:
    """One ground-truth table (Parquet with an explicit schema, like the drops), appended chunk by chunk."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.schema = schema
        self.rows = 0
        self._writer = pq.ParquetWriter(path, schema, compression="zstd")

    def append(self, frame: pd.DataFrame) -> None:
        self._writer.write_table(arrow_table(frame, self.schema))
        self.rows += len(frame)

    def close(self) -> None:
        self._writer.close()

    abandon = close


def file_sha256(path: Path) -> str:
    """The file's sha256, read back in blocks (the manifest must describe the bytes on disk)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(
    folder: Path, source: str, drop_id: str, kind: str, extracted_at: str, entries: list[dict]
) -> None:
    """The manifest, written after every file it lists (contract: a folder without it is still uploading)."""
    manifest = {
        "source": source,
        "drop_id": drop_id,
        "kind": kind,
        "extracted_at": extracted_at,
        "files": entries,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def arrow_table(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """``frame``'s columns of ``schema`` as an Arrow table of exactly that schema (day numbers become date32)."""
    arrays = []
    for f in schema:
        values = frame[f.name]
        if pa.types.is_date32(f.type):
            mask = values.isna().to_numpy()
            days = values.fillna(0).to_numpy(dtype=np.int64)
            arrays.append(pa.array(to_date32(days), type=pa.date32(), mask=mask))
        elif pa.types.is_string(f.type):
            arrays.append(pa.array(values.astype(object).to_numpy(), type=pa.string(), from_pandas=True))
        else:
            arrays.append(pa.array(values.to_numpy(), type=f.type))
    return pa.Table.from_arrays(arrays, schema=schema)
