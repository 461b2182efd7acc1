"""Two nightly runs started at the same moment on one instance and one warehouse (a click in the UI while the
drop sensor fires, or two shells): both finish, and the drops are applied once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from sejahtera import PROJECT_ROOT


@pytest.mark.slow
def test_two_nightly_runs_at_once_both_succeed_and_apply_each_drop_once(tmp_path):
    from sejahtera.generate import generate_landing_zone

    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(PROJECT_ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    landing = tmp_path / "landing"
    generate_landing_zone(out=landing, households=20, seed=11)
    warehouse = tmp_path / "warehouse" / "sejahtera.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEJAHTERA_", "DAGSTER_"))}
    env.update(DAGSTER_HOME=str(home), SEJAHTERA_LANDING=str(landing), SEJAHTERA_WAREHOUSE=str(warehouse))
    subprocess.run(
        [sys.executable, "-c", "import dagster as dg; dg.DagsterInstance.get().dispose()"], env=env
    )

    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "run", "--quiet"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=900)[0] for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs[0][-2000:] + outputs[1][-2000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ledger = con.execute(
            "SELECT source || '.' || drop_id, status, count(*) FROM ops.drop_ledger GROUP BY ALL ORDER BY 1"
        ).fetchall()
        persons = con.execute("SELECT count(*) FROM registry.person").fetchone()[0]
    delivered = sorted(f"{m.parent.parent.name}.{m.parent.name}" for m in landing.glob("*/*/manifest.json"))
    assert [key for key, _, _ in ledger] == delivered
    assert all(count == 1 for _, _, count in ledger), ledger  # looked at once: not redone as a duplicate
    assert "applied" in {status for _, status, _ in ledger}
    assert persons > 0
