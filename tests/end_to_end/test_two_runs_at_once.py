"""Two nightly runs started at the same moment on one instance and one warehouse (a click in the UI while the
drop sensor fires, or two shells): both finish, and the drops are applied once."""

from __future__ import annotations

import pytest
from support.cli import Operator


@pytest.mark.slow
def test_two_nightly_runs_at_once_both_succeed_and_apply_each_drop_once(tmp_path):
    from sejahtera.generate import generate_landing_zone

    machine = Operator(tmp_path, deployed=True)
    generate_landing_zone(out=machine.landing, households=30, seed=11)
    machine.script("import dagster as dg; dg.DagsterInstance.get().dispose()")

    runs = [machine.start("run", "--quiet") for _ in range(2)]
    outputs = [run.communicate(timeout=900)[0] for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs[0][-2000:] + outputs[1][-2000:]
    ledger = machine.query(
        "SELECT source || '.' || drop_id, status, count(*) FROM ops.drop_ledger GROUP BY ALL ORDER BY 1"
    )
    persons = machine.query("SELECT count(*) FROM registry.person")[0][0]
    delivered = sorted(
        f"{m.parent.parent.name}.{m.parent.name}" for m in machine.landing.glob("*/*/manifest.json")
    )
    assert [key for key, _, _ in ledger] == delivered
    assert all(count == 1 for _, _, count in ledger), ledger  # looked at once: not redone as a duplicate
    assert "applied" in {status for _, status, _ in ledger}
    assert persons > 0
