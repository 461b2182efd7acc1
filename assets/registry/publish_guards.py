"""What the publish transaction checks before it writes: a run publishes once, a drop is applied once.

Both rest on ``ops.drop_ledger``, the published ledger, read inside the publish transaction (DuckDB has one
writer per file, so nothing can change it between the check and the commit):

* **once per run.** Every run that publishes appends at least one ledger row carrying its run id (each drop it
  looked at gets one, whatever the drop's status). A ledger row with this run's id means an earlier attempt of
  the same step already committed, e.g. it failed afterwards while describing the result and the retry policy
  runs it again. Publishing again would append the ledger, quarantine, drop report, expectation results and
  changelog a second time and roll the history forward over itself; the retry must add nothing.
* **once per drop.** A drop (``source``, ``drop_id``; a Dukcapil ``delta`` included) already ``applied`` must
  never be applied again: two instances or a doubly granted slot could otherwise both apply it. Extract already
  marks such a drop ``duplicate`` or ``rejected``; this is the last line, where two writers would meet.
  Duplicate, stale and rejected rows may repeat: they change nothing.
"""

from __future__ import annotations

import duckdb

from sejahtera import warehouse

LEDGER = "ops.drop_ledger"
RUN_LEDGER = "work.ledger"


class AlreadyPublished(RuntimeError):
    """This run's publish already committed (raised inside the transaction to write nothing)."""


class DropAppliedTwice(RuntimeError):
    """The run would apply a drop the published ledger already has as applied."""


def already_published(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    """True when the published ledger has rows of ``run_id``: its publish committed before."""
    if not warehouse.table_exists(con, LEDGER):
        return False
    return con.execute(f"SELECT count(*) FROM {LEDGER} WHERE run_id = ?", [run_id]).fetchall()[0][0] > 0


def refuse_republish(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    if already_published(con, run_id):
        raise AlreadyPublished(f"run {run_id} has published already")


def reapplied_drops(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Drops this run would apply that are applied already (published), or that it would apply twice itself."""
    twice_in_run = con.execute(
        f"SELECT source || '.' || drop_id FROM {RUN_LEDGER} WHERE status = 'applied' "
        "GROUP BY source, drop_id HAVING count(*) > 1"
    ).fetchall()
    if not warehouse.table_exists(con, LEDGER):
        return sorted(row[0] for row in twice_in_run)
    published = con.execute(
        f"SELECT DISTINCT w.source || '.' || w.drop_id FROM {RUN_LEDGER} AS w "
        f"JOIN {LEDGER} AS l ON l.source = w.source AND l.drop_id = w.drop_id AND l.status = 'applied' "
        "WHERE w.status = 'applied'"
    ).fetchall()
    return sorted({row[0] for row in [*twice_in_run, *published]})


def refuse_reapplied_drops(con: duckdb.DuckDBPyConnection) -> None:
    again = reapplied_drops(con)
    if again:
        raise DropAppliedTwice(
            f"drop(s) {', '.join(again)} would be applied a second time: the ledger already has them applied "
            "(another run or instance applied them); nothing was published"
        )
