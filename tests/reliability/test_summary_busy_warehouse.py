"""The summary printed after a good run, while another process holds the DuckDB file: a one-line note and exit 0
after a short wait, never a two-minute wait and a failure for a run that succeeded."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from pipelines.launch import SUMMARY_WAIT_SECONDS, print_summary
from sejahtera import warehouse
from sejahtera.warehouse import WarehouseLocked

HOLD = "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('holding', flush=True); time.sleep(120)"


@pytest.fixture
def busy_warehouse(tmp_path):
    path = tmp_path / "warehouse" / "sejahtera.duckdb"
    with warehouse.connect(path) as con:
        con.execute("CREATE SCHEMA ops")
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    yield path
    holder.kill()
    holder.wait()


def test_after_a_good_run_a_busy_warehouse_gives_a_note_and_exit_0(busy_warehouse, capsys):
    started = time.monotonic()

    code = print_summary(busy_warehouse, after_run=True)

    took = time.monotonic() - started
    out = capsys.readouterr().out
    assert code == 0
    assert out.strip().splitlines() == [
        "Summary skipped: another process holds the warehouse open; run `sejahtera summary` later."
    ]
    assert took < SUMMARY_WAIT_SECONDS + 30


def test_the_warehouse_really_is_locked_meanwhile(busy_warehouse):
    """The control: without the note the summary would have failed on the lock."""
    with pytest.raises(WarehouseLocked), warehouse.connect(busy_warehouse, read_only=True, wait_seconds=0):
        pass


def test_a_free_warehouse_gives_the_summary(busy_warehouse, tmp_path, capsys):
    free = tmp_path / "free" / "sejahtera.duckdb"
    with warehouse.connect(free):
        pass

    assert print_summary(free, after_run=True) == 0
    assert capsys.readouterr().out.startswith(f"Registry in {free}")
