"""A `sejahtera run` waiting for the warehouse says who holds it, gives up after --wait-timeout with one clear
line, and stops at once on SIGTERM, releasing what it claimed. The holder is a real run in another process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from pipelines.recovery import PID_TAG, WAREHOUSE_POOL
from sejahtera import PROJECT_ROOT

pytestmark = pytest.mark.slow

HOLDER = Path(__file__).with_name("slot_holder.py")
SEJAHTERA = str(Path(sys.executable).with_name("sejahtera"))


def run_env(tmp_path: Path, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEJAHTERA_", "DAGSTER_"))}
    (tmp_path / "landing").mkdir(exist_ok=True)
    env.update(
        DAGSTER_HOME=str(home),
        SEJAHTERA_LANDING=str(tmp_path / "landing"),
        SEJAHTERA_WAREHOUSE=str(tmp_path / "warehouse" / "sejahtera.duckdb"),
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(PROJECT_ROOT), str(PROJECT_ROOT / "tests"), env.get("PYTHONPATH")])
        ),  # tests/: the slot holder uses support
    )
    return env


@pytest.fixture
def held_warehouse(tmp_path: Path, instance_home: Path) -> Iterator[dict[str, str]]:
    """Another run holds the warehouse slot for the whole test; yields the environment of a run on that instance."""
    env = run_env(tmp_path, instance_home)
    holding, release = tmp_path / "holding", tmp_path / "release"
    holder = subprocess.Popen([sys.executable, str(HOLDER), str(holding), str(release)], env=env)
    deadline = time.monotonic() + 120
    while not holding.exists():
        assert holder.poll() is None and time.monotonic() < deadline, "the holder never got the slot"
        time.sleep(0.1)
    try:
        yield env
    finally:
        release.touch()
        assert holder.wait(timeout=60) == 0


def pool_steps_of(home: Path, pid: int) -> list[str]:
    """The warehouse-pool steps (waiting or holding) of the runs started by process ``pid``."""
    with dg.DagsterInstance.from_config(str(home)) as instance:
        info = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
        ours = {
            record.dagster_run.run_id
            for record in instance.get_run_records(filters=dg.RunsFilter(tags={PID_TAG: str(pid)}))
        }
        return [step.step_key for step in info.pending_steps if step.run_id in ours]


def test_a_waiting_run_says_who_holds_the_warehouse_and_gives_up_after_the_timeout(held_warehouse):
    env = held_warehouse
    started = time.monotonic()
    run = subprocess.run(
        [SEJAHTERA, "run", "--quiet", "--wait-timeout", "8"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    took = time.monotonic() - started

    assert run.returncode == 1, run.stderr[-2000:]
    assert "Traceback" not in run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    waiting = [
        line for line in lines if "for the warehouse: run " in line and "sejahtera run: waiting" in line
    ]
    assert waiting, run.stderr[-2000:]
    assert "(slot_holder, launched from the UI or the API) holds it in step hold since " in waiting[0]
    assert len(waiting) <= 1 + int(took // 30)  # at most every 30 s
    assert lines[-1].startswith("sejahtera run: gave up after waiting more than 8 s for the warehouse (run ")
    assert "nothing was published" in lines[-1]
    assert pool_steps_of(Path(env["DAGSTER_HOME"]), run_pid_from(env)) == []


def run_pid_from(env: dict[str, str]) -> int:
    """The pid of the (only) sejahtera run recorded on the instance."""
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        (record,) = instance.get_run_records(filters=dg.RunsFilter(job_name="nightly"))
        return int(record.dagster_run.tags[PID_TAG])


def test_sigterm_stops_a_waiting_run_at_once_and_frees_its_claim(held_warehouse):
    env = held_warehouse
    home = Path(env["DAGSTER_HOME"])
    run = subprocess.Popen(
        [SEJAHTERA, "run", "--quiet"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 180
    while not pool_steps_of(home, run.pid):  # it is waiting once its step is queued in the pool
        assert run.poll() is None and time.monotonic() < deadline, run.stderr.read()[-2000:]
        time.sleep(0.5)

    signalled = time.monotonic()
    run.send_signal(signal.SIGTERM)
    out, err = run.communicate(timeout=60)
    took = time.monotonic() - signalled

    assert run.returncode == 130, err[-2000:]
    assert took < 15
    assert "Traceback" not in out + err
    assert (
        err.strip()
        .splitlines()[-1]
        .startswith("sejahtera run: stopped by an interrupt while waiting for the warehouse (run ")
    )
    assert pool_steps_of(home, run.pid) == []
    with dg.DagsterInstance.from_config(str(home)) as instance:
        (record,) = instance.get_run_records(filters=dg.RunsFilter(tags={PID_TAG: str(run.pid)}))
        assert record.dagster_run.is_finished
