"""Every file sejahtera creates is readable by its owner only: the warehouse, Data Docs, alerts, exports.

They all hold personal data or point at it, and a shared server's other accounts have no business reading them.
Rather than a ``chmod`` after each write (and a window before it, and one forgotten writer), the process's umask
is set once, where a process starts: the ``sejahtera`` command, the code location that Dagster's webserver,
daemon and run workers load, and ``make ui``. Files are then created ``0600`` and folders ``0700``, whoever writes
them (DuckDB, Great Expectations, Dagster's storage, pyarrow).
"""

from __future__ import annotations

import os

OWNER_ONLY_UMASK = 0o077
"""Clears every group and other permission bit of what the process creates."""


def restrict_new_files() -> None:
    """Make every file and folder this process creates from now on owner-only."""
    os.umask(OWNER_ONLY_UMASK)
