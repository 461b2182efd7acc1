"""A run that holds the `warehouse` pool until told to let go, started as its own process by the reliability tests.

Its one step is in the pool; once inside, it creates HOLDING_FILE and waits until RELEASE_FILE exists (at most
five minutes). It never opens a DuckDB file: only the pool slot is held, as a long step of another run would.

Usage: python slot_holder.py HOLDING_FILE RELEASE_FILE   (DAGSTER_HOME set, tests/ on PYTHONPATH; exit 0 when the
run succeeded)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import dagster as dg
from support.job_script import run_and_exit

MAX_HOLD_SECONDS = 300.0


@dg.op(pool="warehouse")
def hold() -> None:
    holding, release = Path(sys.argv[1]), Path(sys.argv[2])
    holding.touch()
    deadline = time.monotonic() + MAX_HOLD_SECONDS
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.1)


@dg.job
def slot_holder() -> None:
    hold()


if __name__ == "__main__":
    run_and_exit(slot_holder)
