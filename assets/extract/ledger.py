"""What the published ``ops.drop_ledger`` says about drops already seen, and which drops a run must look at.

Contract section 1, as a state machine over the ledger:

* a manifest never seen, or rewritten since it was last looked at (other modification time or other bytes),
  is looked at; one that nobody touched is skipped and adds no ledger row (``reprocess`` overrides that);
* looking at a drop whose ``drop_id`` was applied before: the same manifest bytes are a ``duplicate`` (no-op),
  different bytes are ``rejected`` (an applied drop is never replaced under the same id);
* a ``full`` drop older than a drop already applied for its source is ``stale``; an older ``delta`` still
  applies (its events are dated and replayed in order).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from assets.extract.landing import DropFolder
from assets.extract.partitions import drop_key
from sejahtera import warehouse
from sejahtera.drop_status import DropStatus

LEDGER_TABLE = "ops.drop_ledger"

READ_LEDGER = """
SELECT source, drop_id, status, manifest_sha256, manifest_mtime_ns
FROM ops.drop_ledger
ORDER BY processed_at
"""


@dataclass(frozen=True)
class LedgerRow:
    source: str
    drop_id: str
    status: str
    manifest_sha256: str | None
    manifest_mtime_ns: int | None

    @property
    def key(self) -> str:
        return drop_key(self.source, self.drop_id)


@dataclass
class Ledger:
    """The published ledger, reduced to what deciding a drop's fate needs."""

    last_seen: dict[str, tuple[int | None, str | None]] = field(default_factory=dict)
    """Drop key -> (manifest mtime ns, manifest sha256) when it was last looked at."""
    applied_manifest: dict[str, str | None] = field(default_factory=dict)
    """Drop key -> sha256 of the manifest under which it was applied."""
    newest_applied: dict[str, str] = field(default_factory=dict)
    """Source -> the latest ``drop_id`` applied for it."""

    @classmethod
    def from_rows(cls, rows: Iterable[LedgerRow]) -> Ledger:
        """Rows in the order they were processed: a later row about a drop supersedes an earlier one."""
        ledger = cls()
        for row in rows:
            ledger.last_seen[row.key] = (row.manifest_mtime_ns, row.manifest_sha256)
            if row.status == DropStatus.APPLIED:
                ledger.applied_manifest[row.key] = row.manifest_sha256
                if row.drop_id > ledger.newest_applied.get(row.source, ""):
                    ledger.newest_applied[row.source] = row.drop_id
        return ledger

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> Ledger:
        if not warehouse.table_exists(con, LEDGER_TABLE):
            return cls()
        return cls.from_rows(LedgerRow(*row) for row in con.execute(READ_LEDGER).fetchall())

    @classmethod
    def read_file(cls, path: Path) -> Ledger:
        """The ledger of the warehouse at ``path``, read-only; an absent warehouse has an empty ledger."""
        if not warehouse.exists(path):
            return cls()
        with warehouse.connect(path, read_only=True) as con:
            return cls.read(con)

    def is_untouched(self, folder: DropFolder, manifest_sha256: str | None) -> bool:
        """True when the drop was looked at before with this very manifest file (same mtime, same bytes)."""
        seen = self.last_seen.get(folder.key)
        return seen is not None and seen == (folder.manifest_mtime_ns, manifest_sha256)

    def newer_applied_than(self, source: str, drop_id: str) -> str | None:
        """The latest applied ``drop_id`` of ``source`` when it is later than ``drop_id`` (which is then stale if full)."""
        newest = self.newest_applied.get(source)
        return newest if newest is not None and newest > drop_id else None


def pending_drops(
    folders: Sequence[DropFolder],
    ledger: Ledger,
    manifest_sha256: dict[str, str | None],
    reprocess: Iterable[str] = (),
) -> list[DropFolder]:
    """The drops this run looks at, per source in ``drop_id`` order (string order is delivery order).

    ``manifest_sha256`` maps each drop key to its manifest's current hash (None when it cannot be read).
    """
    forced = set(reprocess)
    pending = [
        folder
        for folder in folders
        if folder.key in forced or not ledger.is_untouched(folder, manifest_sha256.get(folder.key))
    ]
    return sorted(pending, key=lambda f: (f.source, f.drop_id))
