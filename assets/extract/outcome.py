"""What happened to a drop this run: its status (``sejahtera.drop_status``) and the one-line reason of a
rejection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from assets.extract.landing import DropFolder
from sejahtera.drop_status import DropStatus


def one_line(text: str) -> str:
    """``text`` with every unprintable character (line breaks, tabs, control characters) as ``?``.

    Reasons quote file names and folder names from the delivery, which may hold anything; a reason is one line
    in the ledger, the log and the UI.
    """
    return "".join(ch if ch.isprintable() else "?" for ch in text)


class FileRejected(Exception):
    """A data file that fails integrity; ``reason`` names the file, the row when known, and the rule.

    Reasons never quote a value from the file: values may be personal data.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DropRejected(Exception):
    """A drop rejected whole. ``reason`` says why, without the drop key (the outcome prefixes it)."""

    def __init__(self, reason: str, rows_in: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.rows_in = rows_in


@dataclass(frozen=True)
class LoadedFile:
    """A data file that passed integrity and sits in its raw table."""

    name: str
    entity: str
    rows: int
    sha256: str
    table: str


@dataclass(frozen=True)
class DropOutcome:
    """One drop looked at this run, as it goes into ``work.drop`` and the UI."""

    folder: DropFolder
    status: DropStatus
    apply_order: int
    processed_at: datetime
    manifest_sha256: str | None
    kind: str | None = None
    reason: str | None = None
    """The one line the ledger keeps, starting with the drop key: ``dtks.20261127: anggota.csv: ...``."""
    rows_in: int | None = None
    files: tuple[LoadedFile, ...] = ()

    @property
    def key(self) -> str:
        return self.folder.key

    @property
    def rows_loaded(self) -> int:
        """Rows now in the raw tables: all of a loaded drop's rows, none of any other."""
        return sum(f.rows for f in self.files)
