"""The `warehouse` pool: deploy/dagster.yaml limits it to one step at a time, so two runs serialise on DuckDB."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from sejahtera import PROJECT_ROOT

LOCAL_INSTANCE = PROJECT_ROOT / "deploy" / "dagster.yaml"
WORKER = Path(__file__).with_name("pool_worker.py")


def instance_home(tmp_path: Path, config: Path | None) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    if config is not None:
        shutil.copyfile(config, home / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(home)):
        pass  # create the instance's storage now: two workers creating it at once would race
    return home


def test_local_instance_limits_the_pool_to_one_step(tmp_path):
    home = instance_home(tmp_path, LOCAL_INSTANCE)

    with dg.DagsterInstance.from_config(str(home)) as instance:
        pools = instance.get_concurrency_config().pool_config
        assert pools.default_pool_limit == 1
        assert (
            pools.pool_granularity.value == "op"
        )  # enforced in `sejahtera run` too, not only in queued runs
        assert instance.event_log_storage.supports_global_concurrency_limits
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_settings["free_slots_after_run_end_seconds"] > 0
        assert not instance.nux_enabled
        assert not instance.telemetry_enabled


def run_two_workers_at_once(
    tmp_path: Path, home: Path, barrier_seconds: float = 2.0
) -> tuple[list[int], list[str], Path]:
    """Start a second run while the first one's step is inside the warehouse pool.

    The second starts once the first has claimed its slot (its barrier file exists): two claims within the same
    millisecond can both succeed on Dagster's SQLite storage (see deploy/README.md), a race this test is not about.
    """
    path = tmp_path / "warehouse.duckdb"
    barrier = tmp_path / "barrier"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "PYTHONPATH": os.pathsep.join(
            [str(PROJECT_ROOT), str(PROJECT_ROOT / "tests")]
        ),  # the worker uses support
        "POOL_WORKER_BARRIER_SECONDS": str(barrier_seconds),
    }

    def start(name: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, str(WORKER), str(path), str(barrier), name],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    first = start("first")
    while not (barrier / "first").exists() and first.poll() is None:
        time.sleep(0.05)
    workers = [first, start("second")]
    codes = [worker.wait(timeout=120) for worker in workers]
    errors = [worker.stderr.read().decode() for worker in workers]
    for error in errors:
        # a worker that could not even run (an import error) would pass the control for the wrong reason
        assert "Traceback" not in error, f"a pool worker crashed: {error}"
    return codes, errors, path


def test_two_runs_at_once_serialise_instead_of_failing_on_the_lock(tmp_path):
    home = instance_home(tmp_path, LOCAL_INSTANCE)

    codes, errors, path = run_two_workers_at_once(tmp_path, home)

    assert codes == [0, 0], errors
    with duckdb.connect(str(path), read_only=True) as con:
        assert sorted(r[0] for r in con.execute("SELECT name FROM writer").fetchall()) == ["first", "second"]


@pytest.mark.slow
def test_without_the_pool_the_second_run_fails_on_the_lock(tmp_path):
    """The control: what the pool prevents really happens without it."""
    home = instance_home(tmp_path, None)

    codes, errors, _ = run_two_workers_at_once(tmp_path, home, barrier_seconds=90)

    assert sorted(codes) == [0, 1]
    assert "WarehouseLocked" in "".join(errors)
