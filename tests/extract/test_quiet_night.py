"""A night with nothing new, told before the run starts (pipelines/quiet_night.py), and ``landed_drops`` when it
is only to look (``scan_only``): real drops in a tmp landing zone, the real extract assets, a real DuckDB ledger."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from pathlib import Path

from support.extract_harness import Extract

from pipelines.quiet_night import nothing_new


def test_nothing_new_only_when_every_drop_was_looked_at_with_its_manifest(extract: Extract) -> None:
    landing, warehouse = extract.landing.root, extract.warehouse
    assert nothing_new(landing, warehouse)  # an empty landing zone

    folder = extract.landing.deliver("dtks", "20261101")
    assert not nothing_new(landing, warehouse)  # a drop and no warehouse yet

    extract.run()
    extract.publish_ledger()
    assert nothing_new(landing, warehouse)
    assert not nothing_new(landing, warehouse, reprocess=["dtks.20261101"])

    extract.landing.rewrite_manifest(folder)  # redelivered: a new modification time
    assert not nothing_new(landing, warehouse)
    extract.run()
    extract.publish_ledger()
    assert nothing_new(landing, warehouse)

    extract.landing.deliver("p3ke", "20261101")
    assert not nothing_new(landing, warehouse)


def test_a_warehouse_another_process_holds_takes_the_whole_job_without_waiting(
    extract: Extract, tmp_path: Path
) -> None:
    extract.landing.deliver("dtks", "20261101")
    extract.run()
    extract.publish_ledger()
    holding = tmp_path / "holding"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, pathlib, sys, time; con = duckdb.connect(sys.argv[1]); "
            "pathlib.Path(sys.argv[2]).touch(); time.sleep(60)",
            str(extract.warehouse),
            str(holding),
        ]
    )
    try:
        while not holding.exists():
            assert holder.poll() is None
            time.sleep(0.05)
        started = time.monotonic()
        assert not nothing_new(extract.landing.root, extract.warehouse)
        assert time.monotonic() - started < 10  # it did not wait for the lock (connect waits up to 120 s)
    finally:
        holder.kill()
        holder.wait()


def test_scan_only_loads_nothing_and_leaves_the_drop_for_the_next_run(extract: Extract) -> None:
    extract.landing.deliver("dtks", "20261101")
    result = extract.run(scan_only=True)
    assert result.success
    assert not extract.warehouse.exists()  # nothing written, not even a work area
    assert extract.landed_drops_metadata(result)["untouched (skipped)"] == 1
    warnings = [
        e.message
        for e in extract.instance.all_logs(result.run_id)
        if e.level == logging.WARNING and "landed as this run started" in (e.message or "")
    ]
    assert warnings == ["1 new or rewritten drop(s) landed as this run started: the next run processes them"]

    extract.run()  # the next run takes it
    assert extract.drops() == {"dtks.20261101": ("loaded", None)}
