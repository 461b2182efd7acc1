"""The DuckDB warehouse: opening it safely, the per-run work area, and the one atomic publish.

How a run uses the file:

* Every stage writes its intermediate tables into the ``work`` schema. The first stage that has something to do
  resets ``work`` and stamps it with the Dagster run id; later stages only act on a ``work`` schema carrying
  their own run id, so a crashed run's leftovers are never mistaken for this run's.
* Nothing outside ``work`` is written until the last stage calls :func:`publish`, which copies the work tables
  over the published ones (``ops``, ``quality``, ``snapshot``, ``registry``) inside one transaction. A reader
  sees the registry before the run or after it, never a mix; a failure rolls everything back.

DuckDB allows one writer per file, and while a process holds the file read-write no other process can open it
at all. :func:`connect` therefore waits (with backoff) for the lock instead of failing at once, and always closes
the connection, also when the caller raises; an error raised while it is open leaves it scrubbed of data values
(:func:`sejahtera.privacy.scrubbed_errors`), since every stage's DuckDB, pandas and GX work runs inside it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb

from sejahtera.engine import connect_memory
from sejahtera.faults import fault_point
from sejahtera.privacy import scrubbed_errors
from sejahtera.sql_text import literal, qualified

WORK_SCHEMA = "work"


class WarehouseLocked(RuntimeError):
    """Another process held the warehouse for longer than we were willing to wait."""


@contextmanager
def connect(
    path: Path | str, *, read_only: bool = False, wait_seconds: float = 120.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse, waiting for another process's lock to go away, and close it whatever happens."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    delay = 0.1
    while True:
        try:
            con = _open(path, read_only)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                if "lock" in str(exc).lower():
                    raise WarehouseLocked(f"warehouse {path} is locked by another process") from exc
                raise
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
    try:
        with scrubbed_errors():  # DuckDB's (and pandas', GX's) error texts quote data values
            yield con
    finally:
        con.close()


CATALOG = "warehouse"
"""The name the warehouse file is attached under, whatever the file is called (contract section 5: a file named like
one of its schemas, ``registry.duckdb``, would otherwise make ``registry.person`` ambiguous)."""


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with the warehouse file attached as :data:`CATALOG` and made the default."""
    con = connect_memory()
    try:
        con.execute(f"ATTACH {literal(str(path))} AS {CATALOG}" + (" (READ_ONLY)" if read_only else ""))
        con.execute(f"USE {CATALOG}")
    except BaseException:
        con.close()
        raise
    return con


def exists(path: Path | str) -> bool:
    return Path(path).exists()


def table_columns(con: duckdb.DuckDBPyConnection, qualified_name: str) -> set[str]:
    """Lower-case column names of a table (empty when it does not exist)."""
    schema, table = _split(qualified_name)
    rows = con.execute(
        "SELECT lower(column_name) FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? AND table_catalog = current_database()",
        [schema, table],
    ).fetchall()
    return {row[0] for row in rows}


def table_exists(con: duckdb.DuckDBPyConnection, qualified_name: str) -> bool:
    """Whether the table (or view) exists: every table has at least one column."""
    return bool(table_columns(con, qualified_name))


def reset_work(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Start this run's work area afresh, stamped with its run id."""
    con.execute(f"DROP SCHEMA IF EXISTS {WORK_SCHEMA} CASCADE")
    con.execute(f"CREATE SCHEMA {WORK_SCHEMA}")
    con.execute(f"CREATE TABLE {WORK_SCHEMA}.run (run_id VARCHAR NOT NULL, started_at TIMESTAMPTZ NOT NULL)")
    con.execute(f"INSERT INTO {WORK_SCHEMA}.run VALUES (?, now())", [run_id])


def work_belongs_to(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    """True when the work area was started by ``run_id`` (so this run has something to carry on with)."""
    if not table_exists(con, f"{WORK_SCHEMA}.run"):
        return False
    rows = con.execute(f"SELECT run_id FROM {WORK_SCHEMA}.run").fetchall()
    return len(rows) == 1 and rows[0][0] == run_id


def run_has_work(path: Path | str, run_id: str) -> bool:
    """Whether this run opened a work area, checked without taking the write lock or creating the file."""
    if not exists(path):
        return False
    with connect(path, read_only=True) as con:
        return work_belongs_to(con, run_id)


@dataclass(frozen=True)
class Publication:
    """One published table and the work table that becomes it.

    ``replace`` swaps the whole table (the registry, a source's snapshot); ``append`` adds rows (the ledger,
    quarantine, history). Names are code constants, checked against a strict pattern, never taken from data.
    """

    target: str
    source: str
    mode: Literal["replace", "append"]

    def __post_init__(self) -> None:
        _split(self.target)
        _split(self.source)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Everything written inside the block becomes visible together when it ends, or nothing does if it raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def publish(
    con: duckdb.DuckDBPyConnection,
    publications: Sequence[Publication],
    guards: Sequence[Callable[[duckdb.DuckDBPyConnection], None]] = (),
) -> None:
    """Apply every publication in one transaction: all of them become visible together, or none does.

    Each guard runs first, inside the same transaction, and raises to refuse the publish (nothing is written):
    what it checks cannot change between its check and the commit.
    """
    with transaction(con):
        for guard in guards:
            guard(con)
        for schema in {_split(p.target)[0] for p in publications}:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        for pub in publications:
            if pub.mode == "replace":
                con.execute(f"CREATE OR REPLACE TABLE {pub.target} AS SELECT * FROM {pub.source}")
            elif table_exists(con, pub.target):
                con.execute(f"INSERT INTO {pub.target} BY NAME SELECT * FROM {pub.source}")
            else:
                con.execute(f"CREATE TABLE {pub.target} AS SELECT * FROM {pub.source}")
        fault_point("publish", "before_commit")


def _split(qualified_name: str) -> tuple[str, str]:
    schema, table = qualified(qualified_name).split(".")
    return schema, table
