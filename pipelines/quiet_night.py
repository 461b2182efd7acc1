"""A night with nothing new: decided before the run starts, so ``sejahtera run`` records it without walking the graph.

A ``nightly`` run with no new drops does nothing in any step after ``landed_drops`` (each says "no new drops"),
but walking those twenty-odd steps still cost Dagster's event log and a DuckDB open per step: most of a no-op
run. ``sejahtera run`` therefore looks first, read-only and without waiting: when the landing zone holds no
drop that ``landed_drops`` would look at (the same :func:`assets.extract.extraction.plan` against the published
ledger), it launches ``nightly`` on :data:`QUIET_NIGHT_ASSETS` only. The run is still a ``nightly`` run in the
instance's history (contract section 5), ``landed_drops`` still decides for itself (a drop landing in between is
left for the next run, see its ``scan_only`` config), and ``province_exports`` still completes exports a failed
run left behind.

Any doubt takes the whole job: a reprocess request, a warehouse another process holds (it may be mid-run), a
ledger or landing zone that cannot be read. The whole job is always correct; this is only a shortcut.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

QUIET_NIGHT_ASSETS = (dg.AssetKey("landed_drops"), dg.AssetKey("province_exports"))
"""The steps of a run with nothing new: the look at the landing zone, and the exports' catch-up."""


def nothing_new(landing: Path, warehouse_file: Path, reprocess: Sequence[str] = ()) -> bool:
    """True only when certain that no drop is pending; False whenever the whole job should run."""
    import duckdb

    from assets.extract import landing as landing_zone
    from assets.extract.extraction import plan
    from assets.extract.ledger import Ledger
    from assets.extract.read_limits import read_limits
    from sejahtera import warehouse

    if reprocess:
        return False
    try:
        with _silenced(landing_zone.log):  # landed_drops says the same about the landing zone in the run
            folders = landing_zone.scan(landing)
        if not folders:
            return True
        if not warehouse.exists(warehouse_file):
            return False
        with warehouse.connect(warehouse_file, read_only=True, wait_seconds=0) as con:
            ledger = Ledger.read(con)
        return not plan(folders, ledger, read_limits())
    # held by a run, unreadable, a broken rule file: the job finds out, and says so
    except (warehouse.WarehouseLocked, duckdb.Error, OSError, dg.Failure):
        return False


@contextmanager
def _silenced(log: logging.Logger) -> Iterator[None]:
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)
