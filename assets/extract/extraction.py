"""Looking at the pending drops of a run: each drop's fate, and the loading of those that pass.

The order of the questions asked of a drop follows contract section 1: was this ``drop_id`` applied before
(then it is a ``duplicate`` or a ``rejected`` redelivery, whatever its files say); is its manifest sound and
does it match its folder; is it a ``full`` older than what is applied (``stale``); do its files match the
manifest and decode (else ``rejected``). A drop that passes all of it is ``loaded`` for validate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from assets.extract.bookkeeping import create_drop_tables, record_outcomes
from assets.extract.integrity import load_drop
from assets.extract.landing import DropFolder
from assets.extract.ledger import Ledger, pending_drops
from assets.extract.manifest import Manifest, check_manifest, parse_manifest
from assets.extract.outcome import (
    DUPLICATE,
    LOADED,
    REJECTED,
    STALE,
    DropOutcome,
    DropRejected,
    one_line,
)
from assets.extract.raw_tables import create_raw_tables
from sejahtera.faults import fault_point


def manifest_hashes(folders: Sequence[DropFolder]) -> dict[str, str | None]:
    """sha256 of each drop's manifest bytes (None when it vanished or cannot be read); manifests are small."""
    return {folder.key: _manifest_sha256(folder.manifest_path) for folder in folders}


def plan(folders: Sequence[DropFolder], ledger: Ledger, reprocess: Sequence[str] = ()) -> list[DropFolder]:
    """The drops a run must look at, in processing order."""
    return pending_drops(folders, ledger, manifest_hashes(folders), reprocess)


def extract_drops(
    con: duckdb.DuckDBPyConnection, pending: Sequence[DropFolder], ledger: Ledger
) -> list[DropOutcome]:
    """Create the run's extract tables, look at every pending drop in order, record what became of each."""
    create_raw_tables(con)
    create_drop_tables(con)
    outcomes = []
    for order, folder in enumerate(pending, start=1):
        outcomes.append(look_at(con, folder, ledger, order))
        if order == 1:
            fault_point("extract", "after_first_drop")
    record_outcomes(con, outcomes)
    return outcomes


def look_at(
    con: duckdb.DuckDBPyConnection, folder: DropFolder, ledger: Ledger, apply_order: int
) -> DropOutcome:
    """Decide one drop's fate; a loaded drop's files are in the raw tables when this returns."""
    raw = _read_bytes(folder.manifest_path)
    manifest_sha256 = hashlib.sha256(raw).hexdigest() if raw is not None else None

    def outcome(
        status: str, reason: str | None = None, manifest: Manifest | None = None, **more
    ) -> DropOutcome:
        return DropOutcome(
            folder=folder,
            status=status,
            apply_order=apply_order,
            processed_at=datetime.now(UTC),
            manifest_sha256=manifest_sha256,
            kind=manifest.kind if manifest else None,
            reason=one_line(f"{folder.key}: {reason}") if reason else None,
            rows_in=manifest.rows_in if manifest else None,
            **more,
        )

    if raw is None:
        return outcome(REJECTED, "manifest.json cannot be read")

    if folder.key in ledger.applied_manifest:
        readable = _parsed_or_none(raw)
        if ledger.applied_manifest[folder.key] == manifest_sha256:
            return outcome(DUPLICATE, "delivered again with the manifest already applied (no-op)", readable)
        return outcome(
            REJECTED,
            "manifest.json differs from the one of the drop already applied under this drop_id "
            "(an applied drop is never replaced: deliver a new drop_id)",
            readable,
        )

    try:
        manifest = parse_manifest(raw)
    except DropRejected as rejection:
        return outcome(REJECTED, rejection.reason)
    try:
        source = check_manifest(manifest, folder)
    except DropRejected as rejection:
        return outcome(REJECTED, rejection.reason, manifest)

    newer = ledger.newer_applied_than(folder.source, folder.drop_id)
    if manifest.kind == "full" and newer is not None:
        return outcome(
            STALE, f"full drop older than {folder.source}.{newer}, already applied (not applied)", manifest
        )

    try:
        files = load_drop(con, folder, manifest, source)
    except DropRejected as rejection:
        return outcome(REJECTED, rejection.reason, manifest)
    return outcome(LOADED, None, manifest, files=files)


def _parsed_or_none(raw: bytes) -> Manifest | None:
    try:
        return parse_manifest(raw)
    except DropRejected:
        return None


def _manifest_sha256(path: Path) -> str | None:
    raw = _read_bytes(path)
    return hashlib.sha256(raw).hexdigest() if raw is not None else None


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
