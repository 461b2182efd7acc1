"""Shared set-up of the reliability tests: Dagster instances made from the project's own deploy/dagster.yaml, one
small generated landing zone, and the registry one plain serial run publishes from it (the reference every
interrupted or concurrent run must end up equal to)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from sejahtera import PROJECT_ROOT

SEJAHTERA = str(Path(sys.executable).with_name("sejahtera"))
REFERENCE_HOUSEHOLDS = 30

PUBLISHED = {
    # table: columns that differ between two equal runs (when and by which run), left out of the comparison
    "registry.person": (),
    "registry.household": (),
    "registry.source_link": (),
    "registry.eligibility": (),
    "ops.drop_ledger": ("processed_at", "run_id"),
    "quality.quarantine": ("run_id",),
}


def make_instance_home(folder: Path) -> Path:
    """A DAGSTER_HOME with the local instance config, its storage created now (two processes creating it race)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PROJECT_ROOT / "deploy" / "dagster.yaml", folder / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(folder)):
        pass
    return folder


@pytest.fixture
def instance_home(tmp_path: Path) -> Path:
    return make_instance_home(tmp_path / "dagster_home")


def published_registry(warehouse: Path) -> dict[str, list[tuple]]:
    """Every row of the published tables, sorted, without the columns that name a run or a moment."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {}
        for table, varying in PUBLISHED.items():
            exclude = f" EXCLUDE ({', '.join(varying)})" if varying else ""
            tables[table] = con.execute(f"SELECT *{exclude} FROM {table} ORDER BY ALL").fetchall()
        return tables


class Zone:
    """One machine's set-up: a copy of the landing zone, a Dagster instance and a warehouse, in a tmp folder."""

    def __init__(self, root: Path, landing: Path) -> None:
        self.root = root
        self.landing = root / "landing"
        shutil.copytree(landing, self.landing)
        self.home = make_instance_home(root / "dagster_home")
        self.warehouse = root / "warehouse" / "sejahtera.duckdb"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("SEJAHTERA_", "DAGSTER_"))}
        self.env.update(
            DAGSTER_HOME=str(self.home),
            SEJAHTERA_LANDING=str(self.landing),
            SEJAHTERA_WAREHOUSE=str(self.warehouse),
            PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
        )

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [SEJAHTERA, "run", "--quiet", *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
        return subprocess.run(
            [SEJAHTERA, "run", "--quiet", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def registry(self) -> dict[str, list[tuple]]:
        return published_registry(self.warehouse)


@pytest.fixture(scope="session")
def landing_zone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sejahtera.generate import generate_landing_zone

    landing = tmp_path_factory.mktemp("reliability") / "landing"
    generate_landing_zone(out=landing, households=REFERENCE_HOUSEHOLDS, seed=11)
    return landing


@pytest.fixture
def new_zone(tmp_path: Path, landing_zone: Path) -> Callable[[str], Zone]:
    return lambda name: Zone(tmp_path / name, landing_zone)


@pytest.fixture(scope="session")
def reference_registry(
    tmp_path_factory: pytest.TempPathFactory, landing_zone: Path
) -> dict[str, list[tuple]]:
    """What one uninterrupted run, alone on its instance, publishes from the landing zone."""
    zone = Zone(tmp_path_factory.mktemp("reference"), landing_zone)
    run = zone.run()
    assert run.returncode == 0, run.stderr[-3000:]
    registry = zone.registry()
    assert registry["registry.person"] and registry["ops.drop_ledger"]
    return registry
