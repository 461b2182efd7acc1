"""Checking a drop's data files against its manifest and loading them, all or nothing.

Cheap checks first, for every file (present, a regular file in the drop folder and not a link, sha256 as
listed), so a drop with a missing or altered file is rejected before anything is decoded. Every file is opened
through :mod:`assets.extract.safe_files` (never following a link) and decoded within the read limits of
:mod:`assets.extract.read_limits`. Then each file is decoded in its entity's format,
its columns and row count are checked, and it is appended to its raw table. All of this runs in one DuckDB
transaction per drop: the first failure rolls the drop's rows back, so nothing of a rejected drop is staged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import BinaryIO, TypeVar

import duckdb
import pyarrow as pa

from assets.extract.csv_reader import read_csv_file
from assets.extract.landing import DropFolder
from assets.extract.manifest import Manifest, ManifestFile, entity_of
from assets.extract.outcome import DropRejected, FileRejected, LoadedFile
from assets.extract.parquet_reader import read_parquet_file
from assets.extract.raw_tables import StackingError, append_file, raw_table
from assets.extract.read_limits import ReadLimits
from assets.extract.safe_files import UnsafeFile, open_regular
from sejahtera.privacy import scrub
from sejahtera.sources import EntitySpec, SourceSpec

T = TypeVar("T")

HASH_CHUNK_BYTES = 1 << 20

READERS: dict[str, Callable[[BinaryIO, str, EntitySpec, int | None, ReadLimits], pa.Table]] = {
    "csv": read_csv_file,
    "parquet": read_parquet_file,
}
"""How each declared file format is decoded (and what makes it undecodable)."""


def load_drop(
    con: duckdb.DuckDBPyConnection,
    folder: DropFolder,
    manifest: Manifest,
    source: SourceSpec,
    limits: ReadLimits,
) -> tuple[LoadedFile, ...]:
    """Verify every listed file and load it into its raw table; raise :class:`DropRejected` with the reason."""
    try:
        for entry in manifest.files:
            _guarded(entry, lambda entry=entry: _verify(folder, entry))
        con.begin()
        try:
            loaded = tuple(
                _guarded(entry, lambda entry=entry: _load_file(con, folder, manifest, source, entry, limits))
                for entry in manifest.files
            )
        except BaseException:
            con.rollback()
            raise
        con.commit()
    except FileRejected as rejection:
        raise DropRejected(rejection.reason, manifest.rows_in) from None
    return loaded


def _guarded(entry: ManifestFile, step: Callable[[], T]) -> T:
    """``step()``, an unforeseen error of it turned into a rejection naming the file (see ``extraction.look_at``).

    The warehouse's own errors (``duckdb.Error``) still fail the run: they are not the delivery's fault.
    """
    try:
        return step()
    except (FileRejected, duckdb.Error):
        raise
    except Exception as exc:  # one file never stops the night
        raise FileRejected(f"{entry.name}: unexpected {type(exc).__name__}: {scrub(str(exc))}") from None


def _verify(folder: DropFolder, entry: ManifestFile) -> None:
    """The listed file is a regular file in the drop folder (no link) with the sha256 the manifest lists."""
    try:
        with open_regular(folder.path / entry.name) as handle:
            digest = file_sha256(handle)
    except UnsafeFile as unsafe:
        if unsafe.reason == "missing":
            raise FileRejected(
                f"{entry.name}: listed in the manifest but missing from the drop folder"
            ) from None
        raise FileRejected(f"{entry.name}: {unsafe.reason}") from None
    except OSError as exc:
        raise FileRejected(f"{entry.name}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    if digest != entry.sha256:
        raise FileRejected(f"{entry.name}: sha256 differs from manifest")


def _load_file(
    con: duckdb.DuckDBPyConnection,
    folder: DropFolder,
    manifest: Manifest,
    source: SourceSpec,
    entry: ManifestFile,
    limits: ReadLimits,
) -> LoadedFile:
    spec = entity_of(source, manifest, entry)
    try:
        with open_regular(folder.path / entry.name) as handle:
            rows = READERS[spec.file_format](handle, entry.name, spec, entry.rows, limits)
    except UnsafeFile as unsafe:  # replaced since it was hashed
        raise FileRejected(f"{entry.name}: {unsafe.reason}") from None
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


def file_sha256(handle: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(HASH_CHUNK_BYTES):
        digest.update(chunk)
    return digest.hexdigest()
