"""Dukcapil replay and standardisation: the snapshots of every declared source become two canonical tables.

``work.dukcapil_person`` (the civil registry after its delta events), then ``work.person_record`` and
``work.household_record`` (every source's records in one shape: docs/architecture.md). Everything is set-based
SQL over the ``work`` schema (``sql/*.sql``); only names go through Python, once per distinct spelling, because
titles, spelling variants and phonetic keys read better there (:mod:`assets.reconcile.names`).

NIK and KK numbers stay strings. For linkage a number is reduced to its digits (separators dropped) and set to
NULL when it is a placeholder — one digit repeated, serial ``0000``, zeros where the birth or issue date and
the serial should be, a counting sequence — or is
not 14-18 digits long: such values would put thousands of unrelated people in one blocking group. Why a
delivered NIK is unusable is kept in ``nik_problem``: the contract's reason (``sejahtera.rules.nik``) when the
NIK is malformed, ``placeholder`` for a well-formed placeholder such as ``1111111111111111``.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from assets.reconcile.declared_sql import SQL, delivered_names, snapshot_tables
from assets.reconcile.identity import install_identity_macros
from assets.reconcile.names import standardise_name
from sejahtera import reference
from sejahtera.rules import nik as nik_rule

PLACEHOLDER_SEQUENCES = ("1234567890123456", "0123456789012345", "9876543210987654", "1234567812345678")
LINKAGE_NUMBER_DIGITS = (14, 18)
"""How many digits an NIK or KK may have to be used for linkage (fewer or more: NULL)."""
MOSTLY_ZEROS = 8
"""A number with at least this many zeros in its last ten digits is a placeholder (``3201010000000000``): a real
NIK or KK has a non-zero day, month and serial there, so at most seven zeros."""

_NUMBER_MACROS = f"""
CREATE OR REPLACE TEMP MACRO placeholder_number(d) AS
  length(replace(d, left(d, 1), '')) = 0
  OR right(d, 4) = '0000'
  OR 10 - length(replace(right(d, 10), '0', '')) >= {MOSTLY_ZEROS}
  OR d IN ({", ".join(f"'{s}'" for s in PLACEHOLDER_SEQUENCES)});

CREATE OR REPLACE TEMP MACRO linkage_number_clean(d) AS
  CASE WHEN regexp_full_match(d, '[0-9]{{{LINKAGE_NUMBER_DIGITS[0]},{LINKAGE_NUMBER_DIGITS[1]}}}') AND NOT placeholder_number(d) THEN d END;

CREATE OR REPLACE TEMP MACRO linkage_number(x) AS
  linkage_number_clean(regexp_replace(trim(coalesce(x, '')), '[\\s.\\-]', '', 'g'));
"""

SNAPSHOT_TABLES = snapshot_tables()
"""The typed snapshot tables of every declared source (docs/architecture.md), read from the ``work`` schema."""


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Everything the reconcile SQL calls: region reference, NIK rule, number clean-up, identity tests.

    Also turns DuckDB's progress bar off for the session: it would land in Dagster's captured logs.
    """
    con.execute("SET enable_progress_bar = false")
    reference.install(con)
    nik_rule.install_macros(con)
    con.execute(_NUMBER_MACROS)
    install_identity_macros(con)


def build_dukcapil_person(con: duckdb.DuckDBPyConnection) -> int:
    """Replay ``work.snapshot_dukcapil_peristiwa`` on ``work.snapshot_dukcapil_penduduk``; returns persons."""
    SQL.run_file(con, "dukcapil_person")
    return _count(con, "work.dukcapil_person")


def build_name_standard(con: duckdb.DuckDBPyConnection) -> int:
    """``work.name_standard``: the standardised views of every distinct delivered name."""
    raws = con.execute(
        f"""
        SELECT DISTINCT nama_raw FROM (
            {delivered_names()}
            UNION ALL SELECT nama_lengkap FROM work.dukcapil_person
        ) WHERE nama_raw IS NOT NULL
        """
    ).fetchall()
    names = [r[0] for r in raws]
    standard = [standardise_name(n) for n in names]
    table = pa.table(
        {
            "nama_raw": pa.array(names, pa.string()),
            "nama": pa.array([s.nama for s in standard], pa.string()),
            "gelar": pa.array([s.gelar for s in standard], pa.string()),
            "nama_key": pa.array([s.key for s in standard], pa.string()),
            "nama_phonetic": pa.array([s.phonetic for s in standard], pa.string()),
            "nama_skeleton": pa.array([s.skeleton for s in standard], pa.string()),
        }
    )
    con.register("_name_standard", table)
    try:
        con.execute("CREATE OR REPLACE TABLE work.name_standard AS SELECT * FROM _name_standard")
    finally:
        con.unregister("_name_standard")
    return len(names)


def build_person_and_household_records(con: duckdb.DuckDBPyConnection) -> None:
    """``work.person_record`` and ``work.household_record`` (needs ``work.dukcapil_person``, ``work.name_standard``)."""
    SQL.run_file(con, "person_record")
    SQL.run_file(con, "household_record")


def build_records(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The whole stage on the snapshots in ``work``: replay Dukcapil, standardise names, write the records."""
    install_macros(con)
    counts = {"dukcapil_person": build_dukcapil_person(con)}
    counts["distinct_names"] = build_name_standard(con)
    build_person_and_household_records(con)
    counts["person_record"] = _count(con, "work.person_record")
    counts["household_record"] = _count(con, "work.household_record")
    return counts


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
