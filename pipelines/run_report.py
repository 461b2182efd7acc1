"""What a failed ``sejahtera run`` tells the operator: whether the registry was published before the failure.

The publish is one transaction, but it is not the last step: the province exports come after it. A run that
failed there DID publish the registry, and saying "the previously published registry is unchanged" would be
false. The truth is read from the warehouse itself (the published ledger has rows of the run exactly when its
publish committed, ``assets/registry/publish_guards.py``), and the failed steps from the run's event log.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from assets.registry.publish_guards import already_published
from sejahtera import warehouse

CLI_TAG = ("sejahtera/trigger", "cli")


def latest_cli_run(instance: dg.DagsterInstance) -> dg.DagsterRun | None:
    """The newest run ``sejahtera run`` launched on this instance (the one this process just executed)."""
    runs = instance.get_runs(filters=dg.RunsFilter(tags={CLI_TAG[0]: CLI_TAG[1]}), limit=1)
    return runs[0] if runs else None


def failed_steps(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_FAILURE).records
    return sorted({r.event_log_entry.step_key or "?" for r in records})


def published_by(warehouse_file: Path, run_id: str) -> bool:
    """Whether ``run_id``'s publish committed (False when the warehouse cannot be read)."""
    if not warehouse_file.exists():
        return False
    try:
        with warehouse.connect(warehouse_file, read_only=True, wait_seconds=10) as con:
            return already_published(con, run_id)
    except Exception:
        return False


def failure_message(instance: dg.DagsterInstance, warehouse_file: Path) -> str:
    """One line for stderr after a failed run: what failed, and whether the registry was published."""
    run = latest_cli_run(instance)
    if run is None:
        return "sejahtera run: the run failed; the previously published registry is unchanged."
    steps = ", ".join(failed_steps(instance, run.run_id)) or "a step"
    if published_by(warehouse_file, run.run_id):
        return (
            f"sejahtera run: the registry WAS published by run {run.run_id[:8]}, but a later step failed "
            f"({steps}); the next sejahtera run completes the exports."
        )
    return f"sejahtera run: run {run.run_id[:8]} failed ({steps}); the previously published registry is unchanged."
