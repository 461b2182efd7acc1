"""What became of a drop: the one list of statuses, shared by every stage and by ``ops.drop_ledger.status``.

Extract decides ``rejected``, ``duplicate`` and ``stale`` itself and hands every drop that passed its integrity
checks on as ``loaded``; the validate stage turns ``loaded`` into ``applied`` or ``rejected``. The ledger holds
only the final four. A ``StrEnum``, so a status is its contract string in SQL parameters, metadata and logs.
"""

from __future__ import annotations

from enum import StrEnum


class DropStatus(StrEnum):
    LOADED = "loaded"
    """Passed extract's integrity checks; validate decides what it becomes (never published)."""
    APPLIED = "applied"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    STALE = "stale"


EXTRACT_STATUSES = (DropStatus.LOADED, DropStatus.REJECTED, DropStatus.DUPLICATE, DropStatus.STALE)
"""The statuses extract writes into ``work.drop``."""
