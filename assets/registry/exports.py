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
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from sejahtera import warehouse
from sejahtera.faults import fault_point

if TYPE_CHECKING:
    import pandas as pd

EXPORT_KEY_ENV = "SEJAHTERA_EXPORT_KEY"
EXPORTS_ENV = "SEJAHTERA_EXPORTS"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
IDENTIFIER_COLUMNS = {"nik": "nik_token", "no_kk": "kk_token"}
MIN_KEY_BYTES = 16


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
    """Keyed hash of an identity number: the same number always gives the same token under the same key."""
    if value is None or value == "":
        return None
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def neutralise(value: object) -> object:
    """Prefix a text cell a spreadsheet would read as a formula (or a control sequence) with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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
    for province in provinces:
        households = con.execute(
            "SELECT * FROM registry.household WHERE kode_provinsi = ? ORDER BY household_id", [province]
        ).df()
        persons = con.execute(
            "SELECT p.* FROM registry.person AS p LEFT JOIN registry.household AS h USING (household_id) "
            "WHERE coalesce(h.kode_provinsi, left(p.kode_wilayah, 2)) = ? ORDER BY p.person_id",
            [province],
        ).df()
        if result.provinces:
            fault_point("exports", "between_provinces")
        target = staging / f"provinsi_{province}"
        target.mkdir()
        for name, frame in (("households", households), ("persons", persons)):
            frame = frame if full_identifiers else _tokenise(frame, key)
            result.files += _write(frame, target / name)
        result.provinces[province] = {"households": len(households), "persons": len(persons)}
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


def _tokenise(frame: pd.DataFrame, key: bytes | None) -> pd.DataFrame:
    import pandas as pd  # lazily: loading the code location needs no pandas

    assert key is not None
    frame = frame.copy()
    for column, token_column in IDENTIFIER_COLUMNS.items():
        if column in frame.columns:
            position = frame.columns.get_loc(column)
            tokens = [token(key, None if pd.isna(v) else str(v)) for v in frame[column]]
            frame = frame.drop(columns=[column])
            frame.insert(position, token_column, pd.array(tokens, dtype="string"))
    return frame


def _write(frame: pd.DataFrame, stem: Path) -> list[Path]:
    import pandas as pd

    parquet = stem.with_suffix(".parquet")
    csv = stem.with_suffix(".csv")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    tmp = parquet.with_name(parquet.name + ".tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, parquet)
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column].dtype):
            safe[column] = safe[column].map(neutralise, na_action="ignore")
    _replace_atomically(csv, safe.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    return [parquet, csv]


def _replace_atomically(path: Path, content: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
