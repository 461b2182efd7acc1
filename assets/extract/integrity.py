"""Checking a drop's data files against its manifest and loading them, all or nothing.

Cheap checks first, for every file (present, inside the drop folder, sha256 as listed), so a drop with a missing
or altered file is rejected before anything is decoded. Then each file is decoded in its entity's format,
its columns and row count are checked, and it is appended to its raw table. All of this runs in one DuckDB
transaction per drop: the first failure rolls the drop's rows back, so nothing of a rejected drop is staged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa

from assets.extract.csv_reader import read_csv_file
from assets.extract.landing import DropFolder
from assets.extract.manifest import Manifest, ManifestFile, entity_of
from assets.extract.outcome import DropRejected, FileRejected, LoadedFile
from assets.extract.parquet_reader import read_parquet_file
from assets.extract.raw_tables import StackingError, append_file, raw_table
from sejahtera.sources import EntitySpec, SourceSpec

HASH_CHUNK_BYTES = 1 << 20

READERS: dict[str, Callable[[Path, str, EntitySpec], pa.Table]] = {
    "csv": read_csv_file,
    "parquet": read_parquet_file,
}
"""How each declared file format is decoded (and what makes it undecodable)."""


def load_drop(
    con: duckdb.DuckDBPyConnection, folder: DropFolder, manifest: Manifest, source: SourceSpec
) -> tuple[LoadedFile, ...]:
    """Verify every listed file and load it into its raw table; raise :class:`DropRejected` with the reason."""
    try:
        paths = {entry.name: _verified_path(folder, entry) for entry in manifest.files}
        con.begin()
        try:
            loaded = tuple(
                _load_file(con, folder, manifest, source, entry, paths[entry.name])
                for entry in manifest.files
            )
        except BaseException:
            con.rollback()
            raise
        con.commit()
    except FileRejected as rejection:
        raise DropRejected(rejection.reason, manifest.rows_in) from None
    return loaded


def _verified_path(folder: DropFolder, entry: ManifestFile) -> Path:
    """The listed file, present, inside the drop folder and with the sha256 the manifest lists."""
    path = folder.path / entry.name
    if not path.is_file():
        raise FileRejected(f"{entry.name}: listed in the manifest but missing from the drop folder")
    if not path.resolve().is_relative_to(folder.path.resolve()):
        raise FileRejected(f"{entry.name}: is a link leading out of the drop folder")
    try:
        digest = file_sha256(path)
    except OSError as exc:
        raise FileRejected(f"{entry.name}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    if digest != entry.sha256:
        raise FileRejected(f"{entry.name}: sha256 differs from manifest")
    return path


def _load_file(
    con: duckdb.DuckDBPyConnection,
    folder: DropFolder,
    manifest: Manifest,
    source: SourceSpec,
    entry: ManifestFile,
    path: Path,
) -> LoadedFile:
    spec = entity_of(source, manifest, entry)
    rows = READERS[spec.file_format](path, entry.name, spec)
    if rows.num_rows != entry.rows:
        raise FileRejected(
            f"{entry.name}: row count differs: {rows.num_rows} rows, manifest says {entry.rows}"
        )
    table = raw_table(source, spec.entity)
    try:
        append_file(con, table, source=folder.source, drop_id=folder.drop_id, file=entry.name, rows=rows)
    except StackingError:
        raise FileRejected(
            f"{entry.name}: an extra column's type differs from an earlier {spec.entity} file of this run"
        ) from None
    return LoadedFile(
        name=entry.name, entity=spec.entity, rows=rows.num_rows, sha256=entry.sha256, table=table
    )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()
