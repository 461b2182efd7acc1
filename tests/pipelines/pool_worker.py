"""One run of a one-step job in the `warehouse` pool, started as its own process by test_warehouse_pool.py.

The step announces itself in a barrier folder and waits (briefly) for the other worker, so that without the
pool both steps open the DuckDB file at the same moment, and then holds the file for a second. It opens the
warehouse without waiting for the lock: only the pool can keep the two steps apart.

Usage: python pool_worker.py WAREHOUSE BARRIER_DIR NAME   (DAGSTER_HOME set, tests/ on PYTHONPATH; exit 0 when the
run succeeded)
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import dagster as dg
from support.job_script import run_and_exit

from sejahtera import warehouse

HOLD_SECONDS = 1.0
BARRIER_SECONDS = float(os.environ.get("POOL_WORKER_BARRIER_SECONDS", "2"))
"""How long a step waits for the other: short with the pool (the other cannot come), long in the control
(the other will come, however slowly a loaded machine starts its process)."""


@dg.op(pool="warehouse")
def write_row() -> None:
    path, barrier, name = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    barrier.mkdir(parents=True, exist_ok=True)
    (barrier / name).touch()
    deadline = time.monotonic() + BARRIER_SECONDS
    while len(list(barrier.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    with warehouse.connect(path, wait_seconds=0) as con:
        con.execute("CREATE TABLE IF NOT EXISTS writer (name VARCHAR)")
        con.execute("INSERT INTO writer VALUES (?)", [name])
        time.sleep(HOLD_SECONDS)


@dg.job
def pool_worker() -> None:
    write_row()


if __name__ == "__main__":
    run_and_exit(pool_worker)
