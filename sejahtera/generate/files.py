"""Writing drops exactly as contract sections 1 and 2 describe them, byte-for-byte reproducibly.

CSV is written with Python's ``csv`` module (``"`` quoting only where needed, so a quoted field may hold a line
break), gzip with ``mtime=0`` and no file name in its header, Parquet from explicit pyarrow schemas without
pandas metadata. ``manifest.json`` is written last, when every data file is complete, and counts data rows
(CSV records, not lines).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

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
    """One data file of a drop: its rows (output columns plus hidden ``_`` truth columns) and its format."""

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


def write_file(folder: Path, file: SourceFile) -> dict[str, object]:
    """Write ``file`` into ``folder``; return its manifest entry."""
    path = folder / file.name
    if file.csv is not None:
        data = _csv_bytes(file.frame, file.columns, file.csv)
    else:
        assert file.schema is not None
        data = _parquet_bytes(file.frame, file.schema)
    path.write_bytes(data)
    return {
        "name": file.name,
        "entity": file.entity,
        "rows": file.rows,
        "sha256": hashlib.sha256(data).hexdigest(),
    }


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


def _csv_bytes(frame: pd.DataFrame, columns: tuple[str, ...], layout: CsvLayout) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=layout.delimiter, quotechar='"', lineterminator="\n")
    writer.writerow(columns)
    values = frame.loc[:, list(columns)].astype(object).where(frame.loc[:, list(columns)].notna(), "")
    writer.writerows(values.itertuples(index=False, name=None))
    data = text.getvalue().encode("utf-8")
    if layout.bom:
        data = b"\xef\xbb\xbf" + data
    if layout.gzip:
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=6) as gz:
            gz.write(data)
        data = buffer.getvalue()
    return data


def _parquet_bytes(frame: pd.DataFrame, schema: pa.Schema) -> bytes:
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
    table = pa.Table.from_arrays(arrays, schema=schema)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def write_truth(path: Path, frame: pd.DataFrame, schema: pa.Schema) -> None:
    """Ground-truth tables: Parquet with an explicit schema, like the drops."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_parquet_bytes(frame, schema))
