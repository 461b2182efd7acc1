"""Writing drops into a landing zone the way an agency delivers them (contract section 1).

Every test that builds a drop by hand goes through :func:`write_drop`: the data files first, the manifest last
(the sensor and extract treat a folder without manifest as still uploading), with each file's sha256 and row
count computed from the bytes actually written. A test breaks a drop on purpose by editing the manifest
(``edit_manifest``), replacing it (``manifest_bytes``) or damaging a file after the manifest was written.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

EXTRACTED_AT = "2026-11-27T18:00:00+07:00"
"""The export time of a drop whose drop_id does not start with a date."""


@dataclass(frozen=True)
class DataFile:
    """A data file to deliver, and what its manifest entry says about it."""

    name: str
    entity: str
    content: bytes
    rows: int


def extracted_at(drop_id: str) -> str:
    """The manifest's export time: 18:00 WIB on the drop_id's date (``YYYYMMDD...``), else :data:`EXTRACTED_AT`."""
    if len(drop_id) >= 8 and drop_id[:8].isdigit():
        return f"{drop_id[:4]}-{drop_id[4:6]}-{drop_id[6:8]}T18:00:00+07:00"
    return EXTRACTED_AT


def write_drop(
    landing: Path,
    source: str,
    drop_id: str,
    kind: str,
    files: list[DataFile],
    *,
    exported: str | None = None,
    edit_manifest: Callable[[dict], None] | None = None,
    manifest_bytes: bytes | None = None,
    write_files: bool = True,
) -> Path:
    """Write a drop's files, then its manifest; returns the drop folder ``landing/source/drop_id``."""
    folder = landing / source / drop_id
    folder.mkdir(parents=True, exist_ok=True)
    if write_files:
        for f in files:
            (folder / f.name).write_bytes(f.content)
    manifest = {
        "source": source,
        "drop_id": drop_id,
        "kind": kind,
        "extracted_at": exported or extracted_at(drop_id),
        "files": [
            {
                "name": f.name,
                "entity": f.entity,
                "rows": f.rows,
                "sha256": hashlib.sha256(f.content).hexdigest(),
            }
            for f in files
        ],
    }
    if edit_manifest is not None:
        edit_manifest(manifest)
    raw = manifest_bytes if manifest_bytes is not None else json.dumps(manifest, indent=2).encode()
    (folder / "manifest.json").write_bytes(raw)
    return folder


def touch_later(path: Path, seconds: int = 60) -> None:
    """Move a file's modification time forward, as a rewrite does (independent of the clock's resolution)."""
    later = path.stat().st_mtime_ns + seconds * 1_000_000_000
    os.utime(path, ns=(later, later))


def csv_bytes(
    header: list[str],
    rows: list[list],
    *,
    delimiter: str = ",",
    quote: str = '"',
    encoding: str = "utf-8",
    bom: bool = False,
    gzipped: bool = False,
) -> bytes:
    """A CSV file as Python's csv module writes it (``None`` as empty), optionally with a BOM or gzipped."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=delimiter, quotechar=quote, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    data = ("\ufeff" if bom else "").encode() + text.getvalue().encode(encoding)
    return gzip.compress(data, mtime=0) if gzipped else data


def text_bytes(lines: list[str], *, newline: str = "\n", bom: bool = False, gzipped: bool = False) -> bytes:
    """Lines spelled out by hand, joined and ended with ``newline`` (a CSV file exactly as a test writes it)."""
    data = (b"\xef\xbb\xbf" if bom else b"") + (newline.join(lines) + newline).encode("utf-8")
    return gzip.compress(data, mtime=0) if gzipped else data


def parquet_bytes(table: pa.Table) -> bytes:
    """A Parquet file of ``table``."""
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()
