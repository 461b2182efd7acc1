"""Recovering from a dead run: a run the instance still calls started whose process is gone.

A run killed outright (the out-of-memory killer, ``kill -9``, a reboot) never writes its end to the instance: it
stays STARTED forever and keeps its slot of the ``warehouse`` pool, so every later run waits for it forever.
Dagster's run monitoring frees the slots of a run only once the run has *ended*
(``free_slots_after_run_end_seconds``), and the launcher of ``dagster dev`` and of the production instance
(``DefaultRunLauncher``) cannot check a run worker's health, so nothing in Dagster ever ends such a run except
``max_runtime_seconds``. This module ends it: a run whose process is provably gone is marked failed (so its
failure alert fires and the UI shows why) and its pool slots are freed with the instance's own concurrency API.

"Provably gone" needs the process's identity. ``sejahtera run`` tags its runs with :func:`process_tags` (host,
boot, pid and the pid's start time, so a pid reused after a restart is not mistaken for the run). A run launched
from the UI or by the daemon has no such tags; Dagster records its worker's pid in the "Executing steps in
process (pid: N)" engine event, and on an instance whose storage is local SQLite that worker ran on this host, so
the pid is checked here too. Anything else (an untagged run on a shared PostgreSQL instance) is left to Dagster's
run monitoring and its ``max_runtime_seconds``.

What the dead run left in the warehouse needs nothing from here: its ``work`` schema is stamped with its run id and
the next run's first stage resets it (:func:`sejahtera.warehouse.reset_work`); nothing outside ``work`` is
written except in the one publish transaction, which DuckDB rolls back on the next open if the kill cut it short.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

HOST_TAG = "sejahtera/host"
BOOT_TAG = "sejahtera/boot_id"
PID_TAG = "sejahtera/pid"
PID_STARTED_TAG = "sejahtera/pid_started"
"""The process's start time in clock ticks since boot (``/proc/PID/stat`` field 22): tells a reused pid apart."""

WAREHOUSE_POOL = "warehouse"

_LIVE_STATUSES = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]
_PROC = Path("/proc")


def _boot_id() -> str:
    try:
        return (_PROC / "sys" / "kernel" / "random" / "boot_id").read_text().strip()
    except OSError:
        return ""


def _pid_started(pid: int) -> str | None:
    """The start time of ``pid`` in ticks since boot, or None when there is no such process (or it is a zombie)."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()  # the command name in (...) may contain spaces
    if fields[0] in ("Z", "X"):  # a zombie has finished; only its parent has not reaped it yet
        return None
    return fields[19]


def process_tags() -> dict[str, str]:
    """Run tags naming this process, so that a later run can tell whether it is still alive."""
    pid = os.getpid()
    return {
        HOST_TAG: socket.gethostname(),
        BOOT_TAG: _boot_id(),
        PID_TAG: str(pid),
        PID_STARTED_TAG: _pid_started(pid) or "",
    }


def _pid_alive(pid: int, started: str | None) -> bool:
    if _PROC.is_dir():
        now_started = _pid_started(pid)
        return now_started is not None and (not started or now_started == started)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _instance_is_local(instance: dg.DagsterInstance) -> bool:
    """Whether the run storage is SQLite files on this machine, so every run worker of it ran on this host."""
    from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage

    return isinstance(instance.run_storage, SqliteRunStorage)


def _worker_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The pid Dagster recorded when the run's executor started ("Executing steps in process (pid: N)")."""
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        data = entry.dagster_event.event_specific_data if entry.dagster_event else None
        pid = getattr(data, "metadata", {}).get("pid") if data is not None else None
        if pid is not None and str(pid.value).isdigit():
            return int(pid.value)
    return None


def run_label(run: dg.DagsterRun) -> str:
    """What launched ``run``, for a person: 'sejahtera run, pid 123 on host-a', 'schedule nightly_at_0100_wib'."""
    tags = run.tags
    if PID_TAG in tags:
        return f"sejahtera run, pid {tags[PID_TAG]} on {tags.get(HOST_TAG, '?')}"
    if "dagster/schedule_name" in tags:
        return f"schedule {tags['dagster/schedule_name']}"
    if "dagster/sensor_name" in tags:
        return f"sensor {tags['dagster/sensor_name']}"
    return f"{run.job_name}, launched from the UI or the API"


def why_process_is_gone(instance: dg.DagsterInstance, run: dg.DagsterRun, local: bool) -> str | None:
    """Why ``run``'s process is certainly gone, or None when it may be alive (or this host cannot tell)."""
    tags = run.tags
    if PID_TAG in tags:
        if tags.get(HOST_TAG) != socket.gethostname():
            return None
        if tags.get(BOOT_TAG) and tags[BOOT_TAG] != _boot_id():
            return f"this host restarted since its process {tags[PID_TAG]} started"
        if _pid_alive(int(tags[PID_TAG]), tags.get(PID_STARTED_TAG)):
            return None
        return f"its process {tags[PID_TAG]} on this host is gone"
    if not local or run.status not in (dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING):
        return None
    pid = _worker_pid(instance, run.run_id)
    if pid is None or _pid_alive(pid, None):
        return None
    return f"its run worker (pid {pid}) is gone"


@dataclass(frozen=True)
class RecoveredRun:
    run_id: str
    status: str
    reason: str
    freed_slots: bool

    def describe(self) -> str:
        freed = ", its warehouse slot freed" if self.freed_slots else ""
        return f"recovered dead run {self.run_id[:8]} ({self.status}: {self.reason}): marked failed{freed}"


def recover_dead_runs(
    instance: dg.DagsterInstance,
    *,
    except_run_id: str | None = None,
    say: Callable[[str], None] = print,
) -> list[RecoveredRun]:
    """Mark failed every live-looking run of this instance whose process is gone, and free its pool slots.

    Called before a run starts and while it waits for the warehouse, so that a run killed meanwhile does not
    block it. Its alert is raised here because nobody else will: the run itself never got to.
    """
    from pipelines.alerts import alert_for_failed_run

    local = _instance_is_local(instance)
    holders = _slot_holders(instance)
    recovered = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=_LIVE_STATUSES)):
        run = record.dagster_run
        if run.run_id == except_run_id:
            continue
        reason = why_process_is_gone(instance, run, local)
        if reason is None:
            continue
        instance.report_run_failed(
            run, f"sejahtera: this run's process died without ending the run ({reason}); marked failed."
        )
        if instance.event_log_storage.supports_global_concurrency_limits:
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        result = RecoveredRun(run.run_id, run.status.value, reason, run.run_id in holders)
        say(f"sejahtera run: {result.describe()}")
        alert_for_failed_run(instance, run.run_id)
        recovered.append(result)
    return recovered


def _slot_holders(instance: dg.DagsterInstance) -> set[str]:
    if not instance.event_log_storage.supports_global_concurrency_limits:
        return set()
    info = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
    return {slot.run_id for slot in info.claimed_slots} | {step.run_id for step in info.pending_steps}
