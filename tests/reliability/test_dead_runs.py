"""Dead-run recovery on a real instance: runs whose process is gone are ended and their warehouse slots freed;
runs that may be alive are left alone."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events import EngineEventData

from pipelines.recovery import (
    HOST_TAG,
    PID_STARTED_TAG,
    PID_TAG,
    WAREHOUSE_POOL,
    process_tags,
    recover_dead_runs,
)


def dead_pid() -> int:
    """The pid of a process that has ended and been reaped."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def started_run(instance: dg.DagsterInstance, tags: dict[str, str], holds_slot: bool = True) -> str:
    """A nightly run recorded as STARTED, holding the warehouse slot as a step of it would."""
    run_id = str(uuid.uuid4())
    instance.add_run(
        dg.DagsterRun(job_name="nightly", run_id=run_id, tags=tags, status=dg.DagsterRunStatus.STARTED)
    )
    if holds_slot:
        storage = instance.event_log_storage
        storage.initialize_concurrency_limit_to_default(WAREHOUSE_POOL)
        assert storage.claim_concurrency_slot(WAREHOUSE_POOL, run_id, "landed_drops").is_claimed
    return run_id


@pytest.fixture
def instance(instance_home):
    with dg.DagsterInstance.from_config(str(instance_home)) as instance:
        yield instance


def claimed_by(instance: dg.DagsterInstance) -> list[str]:
    info = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
    return [slot.run_id for slot in info.claimed_slots]


def test_a_run_whose_process_is_gone_is_failed_its_slot_freed_and_its_alert_raised(instance):
    run_id = started_run(instance, {**process_tags(), PID_TAG: str(dead_pid()), PID_STARTED_TAG: ""})
    said: list[str] = []

    recovered = recover_dead_runs(instance, say=said.append)

    assert [r.run_id for r in recovered] == [run_id]
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
    assert claimed_by(instance) == []
    assert said == [f"sejahtera run: {recovered[0].describe()}"]
    assert f"recovered dead run {run_id[:8]}" in said[0] and "slot freed" in said[0]
    alert = json.loads((Path(instance.root_directory) / "alerts" / f"{run_id}.json").read_text())
    assert alert["run_id"] == run_id
    # a second look finds nothing more to do
    assert recover_dead_runs(instance, say=said.append) == []


def test_a_live_run_is_left_alone(instance):
    run_id = started_run(instance, process_tags())  # this very process: alive

    assert recover_dead_runs(instance, say=lambda _: None) == []
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.STARTED
    assert claimed_by(instance) == [run_id]


def test_a_reused_pid_does_not_keep_a_dead_run_alive(instance):
    """The pid is alive, but it is another process than the run's: its start time differs."""
    run_id = started_run(instance, {**process_tags(), PID_STARTED_TAG: "1"})

    assert [r.run_id for r in recover_dead_runs(instance, say=lambda _: None)] == [run_id]
    assert claimed_by(instance) == []


def test_a_run_on_another_host_is_left_to_run_monitoring(instance):
    run_id = started_run(instance, {**process_tags(), HOST_TAG: "another-host", PID_TAG: str(dead_pid())})

    assert recover_dead_runs(instance, say=lambda _: None) == []
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.STARTED


def test_a_ui_launched_run_is_judged_by_the_pid_dagster_recorded(instance):
    """No sejahtera tags: the run worker's pid comes from Dagster's 'Executing steps in process' event."""
    dead = started_run(instance, {})
    alive = started_run(instance, {}, holds_slot=False)
    for run_id, pid in ((dead, dead_pid()), (alive, os.getpid())):
        instance.report_engine_event(
            f"Executing steps in process (pid: {pid})",
            instance.get_run_by_id(run_id),
            EngineEventData.in_process(pid),
        )
    not_yet_executing = started_run(instance, {}, holds_slot=False)

    assert [r.run_id for r in recover_dead_runs(instance, say=lambda _: None)] == [dead]
    assert instance.get_run_by_id(alive).status == dg.DagsterRunStatus.STARTED
    assert instance.get_run_by_id(not_yet_executing).status == dg.DagsterRunStatus.STARTED
