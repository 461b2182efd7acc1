"""The asset checks in real Dagster runs: a drop rejected for its share of failing rows is an ERROR that does
not block the other drops; a row-accounting failure blocks everything downstream."""

from __future__ import annotations

import dagster as dg
import pytest
from support.work_area import WorkArea, dtks_anggota, dtks_keluarga, run_gate

from assets import validate
from assets.validate import defs as validate_defs
from assets.validate.invariants import file_accounts, ledger_mismatches
from sejahtera.resources import RulesResource, WarehouseResource


def _run(area: WorkArea) -> dg.ExecuteInProcessResult:
    """validate's assets behind a stand-in for landed_drops that hands the prepared work area to this run."""

    @dg.asset(name="landed_drops")
    def landed_drops(context) -> None:  # no annotation: this module uses postponed annotations
        with area.connect() as con:
            con.execute("UPDATE work.run SET run_id = ?", [context.run.run_id])

    # Entered, not just created: Dagster keeps the entered instance's state storage in a context variable, and
    # an instance that is never entered lets a disposed one from an earlier test linger there.
    with dg.DagsterInstance.ephemeral() as instance:
        return dg.materialize(
            [landed_drops, *validate.asset_defs],
            resources={"warehouse": WarehouseResource(path=str(area.path)), "rules": RulesResource()},
            instance=instance,
            raise_on_error=False,
        )


def _two_drops(area: WorkArea) -> None:
    bad = [dtks_keluarga(f"B{i}", TGL_UPDATE="31-02-2026" if i < 3 else "01-02-2026") for i in range(10)]
    area.add_drop("dtks", "20261114", {"keluarga": bad, "anggota": []})
    area.add_drop(
        "dtks", "20261115", {"keluarga": [dtks_keluarga("K1")], "anggota": [dtks_anggota("A1", "K1")]}
    )


def test_a_rejected_drop_is_an_error_that_does_not_block_the_others(work_area):
    _two_drops(work_area)
    result = _run(work_area)
    assert result.success
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    threshold = checks[validate_defs.THRESHOLD_CHECK]
    assert not threshold.passed and threshold.severity == dg.AssetCheckSeverity.ERROR
    assert threshold.metadata["rejected_drops"].value == "dtks.20261114"
    assert "30.0% of its rows (3 of 10" in threshold.metadata["reasons"].value
    assert checks[validate_defs.ROWS_ACCOUNTED].passed and checks[validate_defs.NOT_STAGED].passed
    materialized = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()}
    assert {"validated_drops", "quality_report", "source_snapshots"} <= materialized
    assert work_area.query("SELECT drop_id, id_keluarga FROM work.snapshot_dtks_keluarga") == [
        ("20261115", "K1")
    ]
    assert work_area.query("SELECT drop_id, status FROM work.ledger ORDER BY 1") == [
        ("20261114", "rejected"),
        ("20261115", "applied"),
    ]


def test_a_row_accounting_failure_blocks_what_comes_after(work_area, monkeypatch):
    _two_drops(work_area)
    monkeypatch.setattr(
        validate_defs, "ledger_mismatches", lambda con, accounts: ["dtks.20261115: lost a row"]
    )
    result = _run(work_area)
    assert not result.success
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not checks[validate_defs.ROWS_ACCOUNTED].passed
    assert "lost a row" in checks[validate_defs.ROWS_ACCOUNTED].metadata["problems"].value
    materialized = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()}
    assert "source_snapshots" not in materialized and "quality_report" not in materialized


@pytest.mark.parametrize("corruption", ["drop an accepted row", "accept a quarantined row"])
def test_row_accounting_is_counted_from_the_tables(work_area, corruption):
    work_area.add_drop(
        "dtks", "20261115", {"keluarga": [dtks_keluarga("K1"), dtks_keluarga("K1")], "anggota": []}
    )
    run_gate(work_area, max_share=1.0)
    with work_area.connect() as con:
        if corruption == "drop an accepted row":
            con.execute("DELETE FROM work.accepted_dtks_keluarga")
        else:
            con.execute(
                "INSERT INTO work.accepted_dtks_keluarga (source, drop_id, file, row_number, id_keluarga) "
                "VALUES ('dtks', '20261115', 'keluarga.csv', 2, 'K1')"
            )
        accounts = file_accounts(con)
        problems = ledger_mismatches(con, accounts)
    [account] = accounts
    assert not account.balanced
    assert problems and problems[0].startswith("dtks.20261115/keluarga.csv: 2 rows in")
