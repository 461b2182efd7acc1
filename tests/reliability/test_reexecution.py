"""Re-execution from failure (the UI's button; automatic run retries do the same) finishes the failed run's work.

The re-executed run is a new run that skips the steps that succeeded, ``landed_drops`` among them; it must carry on
with the work area its root run opened and publish, not succeed having done nothing (sejahtera/run_family.py).
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest
from support.reexecution import nightly_without_retries

pytestmark = pytest.mark.slow

QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def test_reexecuting_a_run_that_failed_in_linkage_publishes_what_it_started(
    new_zone, reference_registry, monkeypatch: pytest.MonkeyPatch
):
    zone = new_zone("reexecuted")
    for name in ("DAGSTER_HOME", "SEJAHTERA_LANDING", "SEJAHTERA_WAREHOUSE"):
        monkeypatch.setenv(name, zone.env[name])
    job = dg.reconstructable(nightly_without_retries)

    with dg.DagsterInstance.from_config(str(zone.home)) as instance:
        monkeypatch.setenv("SEJAHTERA_FAULT", "linkage:before_resolving:raise")
        with dg.execute_job(job, instance, run_config=QUIET, raise_on_error=False) as failed:
            assert not failed.success
            failed_steps = {e.step_key for e in failed.all_events if e.is_step_failure}
        assert failed_steps == {"resolved_persons"}
        assert not _has_registry(zone.warehouse)

        monkeypatch.delenv("SEJAHTERA_FAULT")
        options = dg.ReexecutionOptions.from_failure(failed.run_id, instance)
        with dg.execute_job(job, instance, run_config=QUIET, reexecution_options=options) as again:
            assert again.success
            reexecuted = {e.step_key for e in again.all_events if e.is_step_success}
            root = instance.get_run_by_id(again.run_id).root_run_id

    assert "landed_drops" not in reexecuted and "publish_registry" in reexecuted
    assert root == failed.run_id
    assert zone.registry() == reference_registry
    with duckdb.connect(str(zone.warehouse), read_only=True) as con:
        runs = con.execute("SELECT DISTINCT run_id FROM ops.drop_ledger").fetchall()
    assert runs == [(failed.run_id,)], "the ledger names the run that started the work"


def _has_registry(warehouse: Path) -> bool:
    if not warehouse.exists():
        return False
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return bool(
            con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'registry' "
                "AND table_name = 'person'"
            ).fetchone()[0]
        )
