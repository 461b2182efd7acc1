"""Watching a run that waits for the warehouse: say who holds it, give up after a limit, stop on Ctrl-C/SIGTERM.

While a step waits for its slot in the ``warehouse`` pool, Dagster's executor sleeps in a loop that prints nothing
and, because it holds interrupts until a step runs, ignores SIGTERM and Ctrl-C. The watcher is a thread beside
that loop. Every few seconds it reads the pool from the instance; when this run has a step waiting it

* recovers dead holders (:func:`pipelines.recovery.recover_dead_runs`), so a run killed meanwhile does not block;
* prints which run holds the warehouse and since when, at most every :data:`REPORT_EVERY_SECONDS`;
* gives up when the step has waited longer than the wait timeout, or an interrupt arrived while waiting.

Giving up interrupts the main thread (:data:`STOP_SIGNAL`, whose handler raises :class:`WaitAbandoned`, a
``KeyboardInterrupt``), which Dagster treats as an interrupted run: it frees this run's pending claims, records
the run's end and returns. Nothing was written: a waiting run holds no warehouse connection.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Literal

import dagster as dg

from pipelines.recovery import WAREHOUSE_POOL, recover_dead_runs, run_label

REPORT_EVERY_SECONDS = 30.0
POLL_SECONDS = 2.0
RECOVER_EVERY_SECONDS = 10.0
STOP_SIGNAL = signal.SIGUSR1

StopReason = Literal["timeout", "interrupted"]


class WaitAbandoned(KeyboardInterrupt):
    """Raised in the main thread when the watcher gives up waiting for the warehouse."""


def _interrupt_captured() -> bool:
    """Whether Ctrl-C or SIGTERM arrived while Dagster was holding interrupts back (it only sets a flag)."""
    from dagster._utils.interrupts import check_captured_interrupt

    return check_captured_interrupt()


def _clock(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%H:%M:%S UTC") if moment else "an unknown time"


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


class WarehouseWaitWatcher:
    """The thread beside one run; ``stop_reason`` says whether (and why) it made the run give up."""

    def __init__(
        self,
        instance: dg.DagsterInstance,
        run_id: str,
        wait_timeout_seconds: float,
        say: Callable[[str], None] = print,
    ) -> None:
        self.instance = instance
        self.run_id = run_id
        self.wait_timeout_seconds = wait_timeout_seconds
        self.say = say
        self.stop_reason: StopReason | None = None
        self.can_stop = True
        self.last_holder: str = "another run"
        self._done = threading.Event()
        self._last_report = 0.0
        self._last_recovery = 0.0
        self._thread = threading.Thread(target=self._watch, name="warehouse-wait-watcher", daemon=True)

    def _watch(self) -> None:
        while not self._done.wait(POLL_SECONDS):
            try:
                self._check()
            except Exception as exc:  # a hiccup reading the instance must not kill the run it watches
                self.say(f"sejahtera run: could not check the warehouse pool ({type(exc).__name__})")
            if self.stop_reason is not None:
                return

    def _check(self) -> None:
        storage = self.instance.event_log_storage
        info = storage.get_concurrency_info(WAREHOUSE_POOL)
        waiting = [
            step
            for step in info.pending_steps
            if step.run_id == self.run_id and step.assigned_timestamp is None
        ]
        if not waiting:
            return
        now = time.monotonic()
        if now - self._last_recovery >= RECOVER_EVERY_SECONDS:
            self._last_recovery = now
            if recover_dead_runs(self.instance, except_run_id=self.run_id, say=self.say):
                return  # the slot is free now; Dagster's loop claims it on its next check
        waited = (datetime.now(UTC) - min(step.enqueued_timestamp for step in waiting)).total_seconds()
        self.last_holder = self._holder(info)
        if _interrupt_captured():
            self._give_up("interrupted")
        elif waited > self.wait_timeout_seconds:
            self._give_up("timeout")
        elif now - self._last_report >= REPORT_EVERY_SECONDS:
            self._last_report = now
            self.say(f"sejahtera run: waiting {_duration(waited)} for the warehouse: {self.last_holder}")

    def _holder(self, info) -> str:
        """'run 1a2b3c4d (sejahtera run, pid 123 on host-a) holds it in step validated_drops since 13:24:05 UTC'."""
        mine = {step.step_key for step in info.pending_steps if step.run_id == self.run_id}
        for slot in info.claimed_slots:
            if slot.run_id == self.run_id and slot.step_key in mine:
                continue
            since = next(
                (
                    step.assigned_timestamp
                    for step in info.pending_steps
                    if (step.run_id, step.step_key) == (slot.run_id, slot.step_key)
                ),
                None,
            )
            run = self.instance.get_run_by_id(slot.run_id)
            label = run_label(run) if run is not None else "unknown to this instance"
            return f"run {slot.run_id[:8]} ({label}) holds it in step {slot.step_key} since {_clock(since)}"
        return "its slot is being handed over"

    def _give_up(self, reason: StopReason) -> None:
        if not self.can_stop:
            return
        self.stop_reason = reason
        run = self.instance.get_run_by_id(self.run_id)
        if run is not None:
            what = (
                f"gave up after waiting more than {_duration(self.wait_timeout_seconds)} for the warehouse"
                if reason == "timeout"
                else "stopped by an interrupt while waiting for the warehouse"
            )
            self.instance.report_engine_event(f"sejahtera run {what}: {self.last_holder}.", run)
        signal.pthread_kill(threading.main_thread().ident, STOP_SIGNAL)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join(timeout=POLL_SECONDS * 5)


@contextmanager
def watching_the_wait(
    instance: dg.DagsterInstance,
    run_id: str,
    wait_timeout_seconds: float,
    say: Callable[[str], None] = print,
) -> Iterator[WarehouseWaitWatcher]:
    """Run the body (the run's execution, in the main thread) with a watcher beside it."""
    watcher = WarehouseWaitWatcher(instance, run_id, wait_timeout_seconds, say)

    def abandon(_signo: int, _frame: object) -> None:
        if watcher.stop_reason is not None:
            raise WaitAbandoned(watcher.stop_reason)

    # Signal handlers can only be set from the main thread; a launch from another thread (a test harness) is
    # still watched and reported, but cannot be made to give up.
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(STOP_SIGNAL, abandon) if in_main_thread else None
    watcher.can_stop = in_main_thread
    watcher.start()
    try:
        yield watcher
    finally:
        watcher.stop()
        if in_main_thread:
            signal.signal(STOP_SIGNAL, previous)
