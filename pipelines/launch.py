"""Launching the nightly job from the command line, on the Dagster instance in ``DAGSTER_HOME``.

Before the run claims the ``warehouse`` pool, runs of this instance whose process died are ended and their slots
freed (:mod:`pipelines.recovery`); while it waits for the pool, a watcher says who holds it and gives up after
the wait timeout or on Ctrl-C/SIGTERM (:mod:`pipelines.waiting`).
"""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pipelines.alerts import alert_for_failed_run
from pipelines.quiet_night import QUIET_NIGHT_ASSETS, nothing_new
from pipelines.recovery import process_tags, recover_dead_runs
from pipelines.waiting import StopReason, watching_the_wait
from sejahtera.settings import Settings

DEFAULT_WAIT_TIMEOUT_SECONDS = 6 * 3600
"""How long ``sejahtera run`` waits for another run to let go of the warehouse: longer than any nightly run."""

SUMMARY_WAIT_SECONDS = 5.0
"""After a good run the summary waits this long for another process to let go of the warehouse, then says it
skipped: the run succeeded, and a reader holding the file (a notebook, the UI) must not turn that into a failure."""


def nightly_run_config(
    reprocess: list[str], log_level: str = "INFO", scan_only: bool = False, full: bool = False
) -> dict:
    """Run config of the ``nightly`` job: which drops to look at again, whether ``landed_drops`` only looks (a
    quiet night, :mod:`pipelines.quiet_night`), whether to rebuild in full (score every candidate pair again
    rather than reuse earlier runs' scores), and how chatty the console is."""
    config: dict = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    ops: dict = {}
    landed: dict = {}
    if reprocess:
        landed["reprocess"] = list(reprocess)
    if scan_only:
        landed["scan_only"] = True
    if landed:
        ops["landed_drops"] = {"config": landed}
    if full:
        ops["resolved_persons"] = {"config": {"full": True}}
    if ops:
        config["ops"] = ops
    return config


@dataclass(frozen=True)
class LaunchOutcome:
    """How one ``sejahtera run`` ended: ``stopped`` is set when it gave up waiting for the warehouse."""

    run_id: str
    success: bool
    stopped: StopReason | None = None
    holder: str = ""


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def launch_nightly(
    reprocess: list[str] | None = None,
    log_level: str = "INFO",
    wait_timeout_seconds: float = DEFAULT_WAIT_TIMEOUT_SECONDS,
    full: bool = False,
) -> LaunchOutcome:
    """Execute ``nightly`` in this process, recorded in the instance's run history.

    On a night with nothing new (looked at before the run, :mod:`pipelines.quiet_night`) only the landing-zone
    look and the exports' catch-up run: the other steps would each only say "no new drops".
    """
    from pipelines.definitions import defs

    settings = Settings.from_env()
    quiet = nothing_new(settings.landing, settings.warehouse, reprocess or [])
    job = defs.resolve_job_def("nightly")
    run_id = str(uuid.uuid4())
    with dg.DagsterInstance.get() as instance:
        recover_dead_runs(instance, say=_say)
        with watching_the_wait(instance, run_id, wait_timeout_seconds, say=_say) as watcher:
            result = job.execute_in_process(
                instance=instance,
                run_config=nightly_run_config(
                    reprocess or [], log_level, scan_only=quiet, full=full and not quiet
                ),
                asset_selection=list(QUIET_NIGHT_ASSETS) if quiet else None,
                run_id=run_id,
                tags={"sejahtera/trigger": "cli", **process_tags()},
                raise_on_error=False,
            )
        if not result.success and watcher.stop_reason != "interrupted":
            # No daemon may be running to let the failure sensor see this run: raise its alert here (once).
            # A run stopped by its operator is no failure to page anyone about; one that gave up waiting is.
            alert_for_failed_run(instance, run_id)
    return LaunchOutcome(run_id, result.success, watcher.stop_reason, watcher.last_holder)


def print_summary(warehouse_path: Path, after_run: bool = False) -> int:
    """Print the registry summary; exit code 0, or 1 when ``sejahtera summary`` alone cannot open the warehouse."""
    from assets.registry.summary import registry_summary
    from sejahtera.warehouse import WarehouseLocked

    try:
        print(registry_summary(warehouse_path, wait_seconds=SUMMARY_WAIT_SECONDS if after_run else 120.0))
    except WarehouseLocked:
        note = "another process holds the warehouse open; run `sejahtera summary` later"
        if after_run:
            print(f"Summary skipped: {note}.")
            return 0
        print(f"sejahtera summary: {note}.", file=sys.stderr)
        return 1
    return 0
