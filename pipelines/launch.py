"""Launching the nightly job from the command line, on the Dagster instance in ``DAGSTER_HOME``."""

from __future__ import annotations

import dagster as dg

from pipelines.alerts import alert_for_failed_run


def nightly_run_config(reprocess: list[str], log_level: str = "INFO") -> dict:
    """Run config of the ``nightly`` job: which drops to look at again, and how chatty the console is."""
    config: dict = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    if reprocess:
        config["ops"] = {"landed_drops": {"config": {"reprocess": list(reprocess)}}}
    return config


def launch_nightly(reprocess: list[str] | None = None, log_level: str = "INFO") -> bool:
    """Execute ``nightly`` in this process, recorded in the instance's run history; True when it succeeded."""
    from pipelines.definitions import defs

    job = defs.resolve_job_def("nightly")
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            run_config=nightly_run_config(reprocess or [], log_level),
            tags={"sejahtera/trigger": "cli"},
            raise_on_error=False,
        )
        if not result.success:
            # No daemon may be running to let the failure sensor see this run: raise its alert here (once).
            alert_for_failed_run(instance, result.run_id)
    return result.success
