"""A `sejahtera run` killed with SIGKILL while it holds the warehouse pool (an out-of-memory kill, a reboot): the
next plain `sejahtera run` recovers the dead run on its own, within a bounded time, and publishes the same
registry as an uninterrupted run."""

from __future__ import annotations

import signal
import time

import dagster as dg
import pytest

from pipelines.recovery import PID_TAG, WAREHOUSE_POOL

pytestmark = pytest.mark.slow

RERUN_TIMEOUT_SECONDS = 900


def claimed_step(zone, pid: int) -> str | None:
    """The step of the run started by ``pid`` that holds the warehouse slot right now, if any."""
    with dg.DagsterInstance.from_config(str(zone.home)) as instance:
        runs = instance.get_run_records(filters=dg.RunsFilter(tags={PID_TAG: str(pid)}))
        ours = {record.dagster_run.run_id for record in runs}
        info = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
        return next((slot.step_key for slot in info.claimed_slots if slot.run_id in ours), None)


def test_the_run_after_a_sigkill_recovers_the_dead_run_and_publishes_the_same_registry(
    new_zone, reference_registry
):
    zone = new_zone("killed")
    victim = zone.start()
    deadline = time.monotonic() + 600
    # past the scan: a later step holds the slot, so the dead run leaves a claimed slot and a half-built work area
    while (step := claimed_step(zone, victim.pid)) in (None, "landed_drops"):
        assert victim.poll() is None, (
            f"the run ended before it could be killed: {victim.stderr.read()[-2000:]}"
        )
        assert time.monotonic() < deadline, "the run never got past the scan"
        time.sleep(0.2)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=60)
    assert claimed_step(zone, victim.pid) == step  # the dead run still holds the warehouse

    started = time.monotonic()
    rerun = zone.run(timeout=RERUN_TIMEOUT_SECONDS)
    took = time.monotonic() - started

    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert took < RERUN_TIMEOUT_SECONDS
    recovered = [line for line in rerun.stderr.splitlines() if "recovered dead run" in line]
    assert len(recovered) == 1 and "its warehouse slot freed" in recovered[0], rerun.stderr[-3000:]
    assert "Traceback" not in rerun.stdout + rerun.stderr
    with dg.DagsterInstance.from_config(str(zone.home)) as instance:
        (dead,) = instance.get_run_records(filters=dg.RunsFilter(tags={PID_TAG: str(victim.pid)}))
        assert dead.dagster_run.status == dg.DagsterRunStatus.FAILURE
        assert dead.dagster_run.run_id[:8] in recovered[0]
        assert instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).claimed_slots == []
    assert zone.registry() == reference_registry
