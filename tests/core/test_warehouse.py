"""The warehouse's promises: publish is all-or-nothing, the work area belongs to one run, the lock is waited for."""

import subprocess
import sys

import duckdb
import pytest

from sejahtera import warehouse
from sejahtera.warehouse import Publication


def _seed(path):
    with warehouse.connect(path) as con:
        con.execute("CREATE SCHEMA registry")
        con.execute("CREATE TABLE registry.person AS SELECT 'P1' AS person_id")
        con.execute("CREATE TABLE registry.household AS SELECT 'H1' AS household_id")
        warehouse.reset_work(con, "run-1")
        con.execute("CREATE TABLE work.person AS SELECT 'P2' AS person_id")
        con.execute("CREATE TABLE work.household AS SELECT 'H2' AS household_id")


def test_publish_replaces_and_appends_together(tmp_path):
    path = tmp_path / "w.duckdb"
    _seed(path)
    with warehouse.connect(path) as con:
        warehouse.publish(
            con,
            [
                Publication("registry.person", "work.person", "append"),
                Publication("registry.household", "work.household", "replace"),
            ],
        )
        assert sorted(r[0] for r in con.execute("SELECT person_id FROM registry.person").fetchall()) == [
            "P1",
            "P2",
        ]
        assert con.execute("SELECT household_id FROM registry.household").fetchall() == [("H2",)]


def test_failed_publish_leaves_previous_tables_whole(tmp_path):
    path = tmp_path / "w.duckdb"
    _seed(path)
    with warehouse.connect(path) as con, pytest.raises(duckdb.Error):
        warehouse.publish(
            con,
            [
                Publication("registry.person", "work.person", "replace"),
                Publication("registry.household", "work.does_not_exist", "replace"),
            ],
        )
    with warehouse.connect(path, read_only=True) as con:
        assert con.execute("SELECT person_id FROM registry.person").fetchall() == [("P1",)]
        assert con.execute("SELECT household_id FROM registry.household").fetchall() == [("H1",)]


def test_publication_names_must_be_code_identifiers():
    with pytest.raises(ValueError):
        Publication("registry.person; DROP TABLE x", "work.person", "replace")


def test_work_area_belongs_to_the_run_that_started_it(tmp_path):
    path = tmp_path / "w.duckdb"
    assert not warehouse.run_has_work(path, "run-1")
    assert not path.exists(), "checking for work must not create the warehouse"
    _seed(path)
    assert warehouse.run_has_work(path, "run-1")
    assert not warehouse.run_has_work(path, "run-2")


def _hold_lock(path, seconds):
    """Another process holding the warehouse read-write, as a concurrent run would."""
    code = (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('locked', flush=True); "
        "time.sleep(float(sys.argv[2])); con.close()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_connect_waits_for_another_process_to_release_the_lock(tmp_path):
    path = tmp_path / "w.duckdb"
    holder = _hold_lock(path, 1.5)
    with warehouse.connect(path, wait_seconds=30) as con:
        assert con.execute("SELECT 1").fetchall() == [(1,)]
    holder.wait()


def test_connect_gives_up_with_a_clear_error_when_the_lock_stays(tmp_path):
    path = tmp_path / "w.duckdb"
    holder = _hold_lock(path, 5)
    try:
        with (
            pytest.raises(warehouse.WarehouseLocked, match="locked by another process"),
            warehouse.connect(path, wait_seconds=0.5),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()
