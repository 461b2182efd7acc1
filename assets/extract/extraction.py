"""Looking at the pending drops of a run: each drop's fate, and the loading of those that pass.

The order of the questions asked of a drop follows contract section 1: was this ``drop_id`` applied before
(then it is a ``duplicate`` or a ``rejected`` redelivery, whatever its files say); is its manifest sound and
does it match its folder; is it a ``full`` older than what is applied (``stale``); do its files match the
manifest and decode (else ``rejected``). A drop that passes all of it is ``loaded`` for validate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from assets.extract.bookkeeping import create_drop_tables, record_outcomes
from assets.extract.integrity import load_drop
from assets.extract.landing import MANIFEST, DropFolder
from assets.extract.ledger import Ledger, pending_drops
from assets.extract.manifest import Manifest, check_manifest, parse_manifest
from assets.extract.outcome import DropOutcome, DropRejected, one_line
from assets.extract.raw_tables import create_raw_tables
from assets.extract.read_limits import ReadLimits
from assets.extract.safe_files import UnsafeFile, read_regular
from sejahtera.drop_status import DropStatus
from sejahtera.faults import fault_point
from sejahtera.privacy import scrub


def manifest_hashes(folders: Sequence[DropFolder], limits: ReadLimits) -> dict[str, str | None]:
    """sha256 of each drop's manifest bytes (None when it vanished or is not read: a link, a FIFO, too big)."""
    limit = limits.max_manifest_bytes
    hashes: dict[str, str | None] = {}
    for folder in folders:
        try:
            hashes[folder.key] = hashlib.sha256(read_regular(folder.manifest_path, limit)).hexdigest()
        except (UnsafeFile, OSError):
            hashes[folder.key] = None
    return hashes


def plan(
    folders: Sequence[DropFolder], ledger: Ledger, limits: ReadLimits, reprocess: Sequence[str] = ()
) -> list[DropFolder]:
    """The drops a run must look at, in processing order."""
    return pending_drops(folders, ledger, manifest_hashes(folders, limits), reprocess)


def extract_drops(
    con: duckdb.DuckDBPyConnection, pending: Sequence[DropFolder], ledger: Ledger, limits: ReadLimits
) -> list[DropOutcome]:
    """Create the run's extract tables, look at every pending drop in order, record what became of each."""
    create_raw_tables(con)
    create_drop_tables(con)
    outcomes = []
    for order, folder in enumerate(pending, start=1):
        outcomes.append(look_at(con, folder, ledger, order, limits))
        if order == 1:
            fault_point("extract", "after_first_drop")
    record_outcomes(con, outcomes)
    return outcomes


def look_at(
    con: duckdb.DuckDBPyConnection, folder: DropFolder, ledger: Ledger, apply_order: int, limits: ReadLimits
) -> DropOutcome:
    """Decide one drop's fate; a loaded drop's files are in the raw tables when this returns.

    Whatever a delivery holds, it costs only its own drop: an error nobody foresaw while reading it (a
    ``RecursionError`` from a manifest nested ten thousand deep, an ``OSError`` from a name the file system
    refuses, a bug in a decoder) rejects this drop with the error's scrubbed text, and the night's other drops go
    on. Only the warehouse's own errors (``duckdb.Error``: disk full, lock lost) fail the run, because they are
    not the delivery's fault and a rejection would wrongly stick to the drop.
    """
    seen = _Seen()

    def outcome(status: str, reason: str | None = None, **more) -> DropOutcome:
        manifest = seen.manifest
        return DropOutcome(
            folder=folder,
            status=status,
            apply_order=apply_order,
            processed_at=datetime.now(UTC),
            manifest_sha256=seen.manifest_sha256,
            kind=manifest.kind if manifest else None,
            reason=one_line(f"{folder.key}: {reason}") if reason else None,
            rows_in=manifest.rows_in if manifest else None,
            **more,
        )

    try:
        return _decide(con, folder, ledger, seen, outcome, limits)
    except DropRejected as rejection:
        return outcome(DropStatus.REJECTED, rejection.reason)
    except duckdb.Error:
        raise
    except Exception as exc:  # one delivery never stops the night (docstring)
        return outcome(
            DropStatus.REJECTED, f"{seen.reading}: unexpected {type(exc).__name__}: {scrub(str(exc))}"
        )


@dataclass
class _Seen:
    """What is known of a drop so far, so that a rejection at any point carries all of it."""

    reading: str = MANIFEST
    """What was being read: named in the reason of an unexpected error."""
    manifest_sha256: str | None = None
    manifest: Manifest | None = None


def _decide(
    con: duckdb.DuckDBPyConnection,
    folder: DropFolder,
    ledger: Ledger,
    seen: _Seen,
    outcome: Callable[..., DropOutcome],
    limits: ReadLimits,
) -> DropOutcome:
    """The questions of the module docstring, in order; a :class:`DropRejected` raised here rejects the drop."""
    try:
        raw = read_regular(folder.manifest_path, limits.max_manifest_bytes)
    except UnsafeFile as unsafe:
        return outcome(DropStatus.REJECTED, f"{MANIFEST} {unsafe.reason}")
    seen.manifest_sha256 = hashlib.sha256(raw).hexdigest()

    if folder.key in ledger.applied_manifest:
        seen.manifest = _parsed_or_none(raw)
        if ledger.applied_manifest[folder.key] == seen.manifest_sha256:
            return outcome(DropStatus.DUPLICATE, "delivered again with the manifest already applied (no-op)")
        return outcome(
            DropStatus.REJECTED,
            "manifest.json differs from the one of the drop already applied under this drop_id "
            "(an applied drop is never replaced: deliver a new drop_id)",
        )

    manifest = parse_manifest(raw)
    seen.manifest = manifest
    source = check_manifest(manifest, folder)

    newer = ledger.newer_applied_than(folder.source, folder.drop_id)
    if manifest.kind == "full" and newer is not None:
        return outcome(
            DropStatus.STALE, f"full drop older than {folder.source}.{newer}, already applied (not applied)"
        )

    seen.reading = "data files"
    files = load_drop(con, folder, manifest, source, limits)
    return outcome(DropStatus.LOADED, None, files=files)


def _parsed_or_none(raw: bytes) -> Manifest | None:
    try:
        return parse_manifest(raw)
    except DropRejected:
        return None
