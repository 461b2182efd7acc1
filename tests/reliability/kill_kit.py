"""One operator's machine for the kill tests: a shared generated landing zone, and per case its own warehouse,
exports folder and Dagster instance, driven by real ``sejahtera run`` processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pandas as pd

from sejahtera import warehouse

EXPORT_KEY = "a-kill-test-key-long-enough"
RERUN_TIMEOUT_SECONDS = 600
"""A run after a kill must finish within this (a run of this zone takes about a minute and a half)."""

COMPARED = {
    "registry.person": "person_id",
    "registry.household": "household_id",
    "registry.source_link": "source, entity, source_record_id",
    "registry.household_welfare": "household_id",
    "registry.eligibility": "ALL",
    "ops.drop_ledger": "source, drop_id",
    "quality.quarantine": "source, drop_id, file, row_number, rule",
}
"""The published registry the tests compare with an uninterrupted run's, and the order to compare in."""
RUN_SPECIFIC = {"run_id", "processed_at"}
"""Columns that differ between two runs over the same drops by design (which run, when)."""

SNAPSHOTS = (
    "dtks_keluarga",
    "dtks_anggota",
    "regsosek_rumah_tangga",
    "regsosek_individu",
    "p3ke_keluarga",
    "p3ke_individu",
    "dukcapil_penduduk",
    "dukcapil_peristiwa",
)


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


class Machine:
    """Its own warehouse, exports and DAGSTER_HOME over a landing zone shared with the other cases."""

    def __init__(self, root: Path, landing: Path) -> None:
        self.root = root
        self.warehouse = root / "warehouse" / "sejahtera.duckdb"
        self.exports = root / "exports"
        self.dagster_home = root / "dagster_home"
        self.env = {
            **os.environ,
            "SEJAHTERA_LANDING": str(landing),
            "SEJAHTERA_WAREHOUSE": str(self.warehouse),
            "SEJAHTERA_EXPORTS": str(self.exports),
            "SEJAHTERA_EXPORT_KEY": EXPORT_KEY,
            "DAGSTER_HOME": str(self.dagster_home),
        }
        self.env.pop("SEJAHTERA_FAULT", None)

    def run(self, fault: str | None = None, timeout: float = RERUN_TIMEOUT_SECONDS) -> Finished:
        env = self.env | ({"SEJAHTERA_FAULT": fault} if fault else {})
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "pipelines.cli", "run", "--quiet"],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Finished(done.returncode, done.stdout, done.stderr, time.monotonic() - started)

    def instance(self) -> dg.DagsterInstance:
        return dg.DagsterInstance.from_config(str(self.dagster_home))

    def drop_partition_statuses(self) -> dict[str, list[str]]:
        """Every materialisation of each ``drop`` partition, oldest first: its status."""
        with self.instance() as instance:
            records = instance.fetch_materializations(
                dg.AssetKey("drop"), limit=10_000, ascending=True
            ).records
        statuses: dict[str, list[str]] = {}
        for record in records:
            materialization = record.asset_materialization
            assert materialization is not None
            status = materialization.metadata["status"].value
            statuses.setdefault(str(materialization.partition), []).append(str(status))
        return statuses

    def published(self) -> dict[str, pd.DataFrame]:
        """The compared tables, run-specific columns left out, in a stable order (empty when none exists)."""
        if not self.warehouse.exists():
            return {}
        tables = {}
        with warehouse.connect(self.warehouse, read_only=True) as con:
            for table, order in COMPARED.items():
                if not warehouse.table_exists(con, table):
                    continue
                frame = con.execute(f"SELECT * FROM {table} ORDER BY {order}").df()
                tables[table] = frame.drop(columns=[c for c in frame.columns if c in RUN_SPECIFIC])
        return tables

    def query(self, sql: str) -> list[tuple]:
        with warehouse.connect(self.warehouse, read_only=True) as con:
            return con.execute(sql).fetchall()

    def applied_rows(self) -> dict[str, tuple[int, int]]:
        """Per applied drop: rows the ledger says were loaded, rows of it in the published snapshots."""
        union = " UNION ALL ".join(f"SELECT source, drop_id FROM snapshot.{t}" for t in SNAPSHOTS)
        rows = self.query(
            f"SELECT l.source || '.' || l.drop_id, l.rows_loaded, count(s.drop_id) FROM ops.drop_ledger AS l "
            f"LEFT JOIN ({union}) AS s ON s.source = l.source AND s.drop_id = l.drop_id "
            "WHERE l.status = 'applied' GROUP BY ALL ORDER BY 1"
        )
        return {key: (loaded, staged) for key, loaded, staged in rows}

    def export_manifest(self) -> dict | None:
        try:
            return json.loads((self.exports / "manifest.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
