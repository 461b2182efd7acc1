"""Province exports of the published registry: one folder per province with Parquet and CSV files.

Protected by default (UU PDP: protect exports, expose the minimum):

* NIK and KK numbers are replaced by keyed-hash tokens, HMAC-SHA256 with a key from the environment
  (``SEJAHTERA_EXPORT_KEY``, never in the repository). A province holding the key can compute the token of an NIK
  it already knows and find the person; nobody else can reverse it. Without a key nothing is exported, and the
  step says so. Raw numbers are exported only when an authorised full export is asked for (run config, with the
  name of who authorised it, recorded in the export's manifest).
* CSV cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return are neutralised with a leading
  apostrophe, so a spreadsheet never runs a formula a delivered name or address smuggled in.

Folder: ``SEJAHTERA_EXPORTS``, else ``exports/`` beside the warehouse file; an authorised full export goes to
its own folder beside it, ``<folder>-full``, so raw numbers never sit among the files shared with provinces.

Swapped in whole. An export is written into a fresh version folder (``.<folder>.versions/<id>``) and the export
folder, a symbolic link, is pointed at it in one atomic rename; the previous version is removed after. A reader,
or a run killed between two provinces, sees the previous export or the new one, never some provinces of each;
a version folder left by a killed export is removed by the next export. Each export's manifest records the run
whose drops the registry last applied (``registry_run_id``): when that is not the registry's latest, the export
is behind (its run failed or died after the publish) and the next run, even one with no new drops, completes it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from assets.registry.tables import columns_of
from sejahtera import warehouse
from sejahtera.faults import fault_point
from sejahtera.sql_text import identifier, literal

EXPORT_KEY_ENV = "SEJAHTERA_EXPORT_KEY"
EXPORTS_ENV = "SEJAHTERA_EXPORTS"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
IDENTIFIER_COLUMNS = {"nik": "nik_token", "no_kk": "kk_token"}
MIN_KEY_BYTES = 16
HMAC_BLOCK_BYTES = 64
"""SHA-256's block size: an HMAC key is padded (or first hashed) to it."""


class ExportRefused(ValueError):
    """The export cannot be made as asked (no key, a short key, an unauthorised full export)."""


def export_folder(warehouse_file: Path, *, full_identifiers: bool = False) -> Path:
    """Where exports go: the configured or default folder, or its ``-full`` sibling for a full export."""
    configured = os.environ.get(EXPORTS_ENV, "").strip()
    folder = Path(configured).expanduser().absolute() if configured else warehouse_file.parent / "exports"
    return folder.with_name(folder.name + "-full") if full_identifiers else folder


def latest_registry_run(con: duckdb.DuckDBPyConnection) -> str | None:
    """The run that last applied a drop (the registry as published is its work), None before any."""
    if not warehouse.table_exists(con, "ops.drop_ledger"):
        return None
    rows = con.execute(
        "SELECT run_id FROM ops.drop_ledger WHERE status = 'applied' ORDER BY processed_at DESC, run_id LIMIT 1"
    ).fetchall()
    return rows[0][0] if rows else None


def exports_behind(con: duckdb.DuckDBPyConnection, folder: Path) -> bool:
    """True when the export in ``folder`` is missing or older than the published registry."""
    latest = latest_registry_run(con)
    if latest is None:
        return False
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    return manifest.get("registry_run_id") != latest


def export_key() -> bytes | None:
    """The tokenisation key from the environment, or None when it is not set."""
    value = os.environ.get(EXPORT_KEY_ENV, "")
    if not value:
        return None
    key = value.encode("utf-8")
    if len(key) < MIN_KEY_BYTES:
        raise ExportRefused(
            f"{EXPORT_KEY_ENV} is shorter than {MIN_KEY_BYTES} bytes: too weak to protect NIKs"
        )
    return key


def token(key: bytes, value: str | None) -> str | None:
    """Keyed hash of an identity number: the same number always gives the same token under the same key.

    The definition; the export computes the same HMAC inside DuckDB (:func:`token_sql`)."""
    if value is None or value == "":
        return None
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def hmac_pads(key: bytes) -> dict[str, bytes]:
    """The inner and outer padded keys of HMAC-SHA256 (RFC 2104): the parameters :func:`token_sql` reads."""
    block = (hashlib.sha256(key).digest() if len(key) > HMAC_BLOCK_BYTES else key).ljust(
        HMAC_BLOCK_BYTES, b"\0"
    )
    return {"hmac_inner": bytes(b ^ 0x36 for b in block), "hmac_outer": bytes(b ^ 0x5C for b in block)}


def token_sql(column: str) -> str:
    """:func:`token` of a text column as a DuckDB expression, keyed by the ``$hmac_inner``/``$hmac_outer``
    parameters (:func:`hmac_pads`). HMAC(K, m) = H((K xor opad) || H((K xor ipad) || m)).

    Why in SQL: a Python HMAC per row over a pandas copy of every province was most of the export's time and
    memory at national size; DuckDB hashes the column where it lies and streams it to the files."""
    inner = f"unhex(sha256($hmac_inner::BLOB || encode({column})))"
    return f"CASE WHEN coalesce({column}, '') <> '' THEN sha256($hmac_outer::BLOB || {inner}) END"


def neutralise(value: object) -> object:
    """Prefix a text cell a spreadsheet would read as a formula (or a control sequence) with an apostrophe.

    The definition; the CSV files apply it inside DuckDB (:func:`neutralised_sql`)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralised_sql(column: str) -> str:
    """:func:`neutralise` of a text column as a DuckDB expression."""
    starts = ", ".join(literal(start) for start in FORMULA_STARTS)
    return f"CASE WHEN left({column}, 1) IN ({starts}) THEN '''' || {column} ELSE {column} END"


@dataclass
class ExportResult:
    folder: Path
    mode: str
    provinces: dict[str, dict[str, int]] = field(default_factory=dict)
    """province code -> {"households": rows, "persons": rows}"""
    files: list[Path] = field(default_factory=list)


def export_provinces(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    *,
    key: bytes | None,
    full_identifiers: bool = False,
    authorised_by: str = "",
    run_id: str = "",
) -> ExportResult:
    """Write every province's households and persons of the published registry under ``folder``."""
    if full_identifiers and not authorised_by.strip():
        raise ExportRefused("a full export with raw NIK/KK needs authorised_by (who authorised it)")
    if not full_identifiers and key is None:
        raise ExportRefused(f"{EXPORT_KEY_ENV} is not set: NIKs cannot be tokenised, nothing exported")
    mode = "full" if full_identifiers else "tokenised"
    result = ExportResult(folder=folder, mode=mode)
    staging = _start_version(folder)
    provinces = [
        row[0]
        for row in con.execute(
            "SELECT DISTINCT kode_provinsi FROM registry.household WHERE kode_provinsi IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
    tables = {
        "households": ExportTable("registry.household", "h", "h.kode_provinsi", "household_id"),
        "persons": ExportTable(
            "registry.person",
            "p",
            "coalesce(h.kode_provinsi, left(p.kode_wilayah, 2))",
            "person_id",
            "LEFT JOIN registry.household AS h USING (household_id)",
        ),
    }
    staged = {name: _stage(con, name, table, key, full_identifiers) for name, table in tables.items()}
    for province in provinces:
        if result.provinces:
            fault_point("exports", "between_provinces")
        target = staging / f"provinsi_{province}"
        target.mkdir()
        counts = {}
        for name, table in tables.items():
            files, counts[name] = _write(con, staged[name], table.order_by, province, target / name)
            result.files += files
        result.provinces[province] = counts
    manifest = {
        "run_id": run_id,
        "registry_run_id": latest_registry_run(con),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": mode,
        "authorised_by": authorised_by if full_identifiers else None,
        "token": None
        if full_identifiers
        else "HMAC-SHA256 of the NIK / KK with the key in " + EXPORT_KEY_ENV,
        "provinces": result.provinces,
        "files": {str(p.relative_to(staging)): _sha256(p) for p in result.files},
    }
    (staging / "manifest.json").write_bytes(json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8"))
    _swap_in(folder, staging)
    result.files = [folder / p.relative_to(staging) for p in result.files]
    return result


def _versions(folder: Path) -> Path:
    return folder.with_name(f".{folder.name}.versions")


def _start_version(folder: Path) -> Path:
    """A new, empty version folder (owner-only), after removing versions a killed export left behind."""
    versions = _versions(folder)
    versions.mkdir(parents=True, exist_ok=True)
    current = _current_version(folder)
    for child in versions.iterdir():
        if child != current:
            _remove(child)
    return Path(tempfile.mkdtemp(prefix=datetime.now(UTC).strftime("%Y%m%dT%H%M%S-"), dir=versions))


def _swap_in(folder: Path, staging: Path) -> None:
    """Point ``folder`` at ``staging`` in one atomic rename, then remove the version it pointed at before.

    An export folder that is still a plain directory (written before exports were versioned) is moved into the
    versions first: the one moment without an export folder is that first upgrade, never later.
    """
    previous = _current_version(folder)
    if folder.exists() and not folder.is_symlink():
        previous = staging.with_name("unversioned")
        os.rename(folder, previous)
    link = folder.with_name(f".{folder.name}.swap")
    link.unlink(missing_ok=True)
    link.symlink_to(Path(staging.parent.name) / staging.name, target_is_directory=True)
    os.replace(link, folder)
    if previous is not None and previous != staging:
        _remove(previous)


def _current_version(folder: Path) -> Path | None:
    """The version folder the export folder points at (by name in the versions folder), None if none."""
    if not folder.is_symlink():
        return None
    return _versions(folder) / Path(os.readlink(folder)).name


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@dataclass(frozen=True)
class ExportTable:
    """One exported table of the published registry, and how its rows are assigned to a province."""

    table: str
    alias: str
    province: str
    """SQL giving a row's province (over ``alias`` and the joined tables)."""
    order_by: str
    """The column that orders a province's rows in its files."""
    join: str = ""


STAGED_PROVINCE = "export_province"
"""Column of a staged export table holding the row's province."""


@dataclass(frozen=True)
class StagedTable:
    name: str
    columns: list[tuple[str, str]]
    """(name, DuckDB type) of the exported columns, in order (the province column excluded)."""


def _stage(
    con: duckdb.DuckDBPyConnection, name: str, table: ExportTable, key: bytes | None, full_identifiers: bool
) -> StagedTable:
    """Stage the exported rows once, identifiers tokenised, as a temporary table sorted by province.

    Why: each province's files then read one contiguous slice (DuckDB skips the rest by its zone maps) instead
    of joining and tokenising the whole registry again per province and file. Returns the table's name.
    """
    columns, selects = [], []
    for column, data_type in columns_of(con, table.table):
        value = f"{table.alias}.{identifier(column)}"
        if column in IDENTIFIER_COLUMNS and not full_identifiers:
            value, column = token_sql(value), IDENTIFIER_COLUMNS[column]
        columns.append((column, data_type))
        selects.append(f"{value} AS {identifier(column)}")
    staged = f"export_{identifier(name)}"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {staged} AS SELECT {table.province} AS {STAGED_PROVINCE}, "
        f"{', '.join(selects)} FROM {table.table} AS {table.alias} {table.join} "
        f"ORDER BY {STAGED_PROVINCE}, {identifier(table.order_by)}",
        {} if full_identifiers else hmac_pads(key or b""),
    )
    return StagedTable(staged, columns)


def _write(
    con: duckdb.DuckDBPyConnection, staged: StagedTable, order_by: str, province: str, stem: Path
) -> tuple[list[Path], int]:
    """Write one province's rows of a staged table as Parquet and formula-safe CSV, straight from DuckDB.

    Each file is written beside its final name and renamed into place. Returns the files and the rows.
    """
    columns = staged.columns
    rows_sql = f"FROM {staged.name} WHERE {STAGED_PROVINCE} = $province ORDER BY {identifier(order_by)}"
    parquet, csv = stem.with_suffix(".parquet"), stem.with_suffix(".csv")
    rows = 0
    for path, cells, options in (
        (parquet, [identifier(c) for c, _ in columns], "FORMAT parquet"),
        (csv, [f"{_csv_cell(identifier(c), t)} AS {c}" for c, t in columns], "FORMAT csv, HEADER true"),
    ):
        tmp = path.with_name(path.name + ".tmp")
        rows = con.execute(
            f"COPY (SELECT {', '.join(cells)} {rows_sql}) TO {literal(str(tmp))} ({options})",
            {"province": province},
        ).fetchall()[0][0]
        os.replace(tmp, path)
    return [parquet, csv], rows


def _csv_cell(column: str, data_type: str) -> str:
    """A column as its CSV cell: text neutralised (:func:`neutralise`), flags as ``True``/``False`` (as the
    export has always written them), everything else as DuckDB writes it."""
    if data_type == "VARCHAR":
        return neutralised_sql(column)
    if data_type == "BOOLEAN":
        return f"CASE WHEN {column} THEN 'True' WHEN NOT {column} THEN 'False' END"
    return column


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
