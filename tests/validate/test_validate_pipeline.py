"""The validate stage in real Dagster runs, behind the real ``landed_drops``, on a generated landing zone with
injected defects and their ground truth (``sejahtera generate``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from support.contract import CONTRACT_COLUMNS
from support.duck import frame

from assets import extract, validate
from assets.validate.defs import (
    NOT_STAGED,
    ROWS_ACCOUNTED,
    SUITES,
    THRESHOLD_CHECK,
    suite_check_name,
)
from sejahtera import warehouse
from sejahtera.generate import generate_landing_zone
from sejahtera.resources import LandingZoneResource, RulesResource, WarehouseResource

CONTRACT_QUARANTINE = CONTRACT_COLUMNS["quality.quarantine"]
CONTRACT_LEDGER = CONTRACT_COLUMNS["ops.drop_ledger"]
SIXTEEN_DIGITS = re.compile(r"(?<![0-9*])[0-9]{16}(?![0-9])")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("pipeline")
    generate_landing_zone(root / "landing", 150, 11)
    wh = root / "warehouse" / "sejahtera.duckdb"
    resources = {
        "warehouse": WarehouseResource(path=str(wh)),
        "landing": LandingZoneResource(root=str(root / "landing")),
        "rules": RulesResource(),
    }
    with dg.DagsterInstance.ephemeral() as instance:

        def run() -> dg.ExecuteInProcessResult:
            return dg.materialize(
                [*extract.asset_defs, *validate.asset_defs],
                resources=resources,
                instance=instance,
                raise_on_error=False,
            )

        first = run()
        yield root, wh, run, first


def test_every_defective_row_is_quarantined_with_its_rules_and_no_clean_row(world):
    root, wh, _, first = world
    assert first.success
    truth = pd.read_parquet(root / "landing" / "ground_truth" / "row_defects.parquet")
    got = frame(wh, "SELECT source, drop_id, file, row_number, rule FROM work.quarantine")
    key = ["source", "drop_id", "file", "row_number", "rule"]
    assert len(truth) > 20  # the generator did inject defects
    assert set(map(tuple, got[key].to_numpy())) == set(map(tuple, truth[key].to_numpy()))


def test_checks_report_every_suite_and_the_invariants(world):
    _, _, _, first = world
    evaluations = {e.check_name: e for e in first.get_asset_check_evaluations()}
    expected = {suite_check_name(s, e) for s, e in SUITES} | {THRESHOLD_CHECK, ROWS_ACCOUNTED, NOT_STAGED}
    assert expected <= set(evaluations)
    assert evaluations[ROWS_ACCOUNTED].passed and evaluations[NOT_STAGED].passed
    assert evaluations[THRESHOLD_CHECK].passed  # the generator keeps defects well below 20 %
    dtks = evaluations[suite_check_name("dtks", "anggota")]
    assert dtks.severity == dg.AssetCheckSeverity.WARN and not dtks.passed  # defects were injected
    docs = Path(dtks.metadata["data_docs_path"].value)
    assert docs.is_file() and docs.suffix == ".html"
    assert "great_expectations" in docs.parts  # beside the warehouse file
    html = docs.read_text(encoding="utf-8")
    assert not SIXTEEN_DIGITS.search(html), "a raw NIK or KK in the Data Docs"


def test_no_personal_data_in_dagster_metadata(world):
    _, _, _, first = world
    texts = [
        json.dumps({k: str(v.value) for k, v in e.metadata.items()})
        for e in first.get_asset_check_evaluations()
    ]
    texts += [
        json.dumps({k: str(v.value) for k, v in m.materialization.metadata.items()})
        for m in first.get_asset_materialization_events()
    ]
    for text in texts:
        assert not SIXTEEN_DIGITS.search(text)


def test_quarantine_and_ledger_publish_with_the_contract_columns_first(world):
    _, wh, _, _ = world
    with warehouse.connect(wh) as con:
        columns = {
            table: [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
            for table in ("work.quarantine", "work.ledger")
        }
    assert columns["work.quarantine"][: len(CONTRACT_QUARANTINE)] == CONTRACT_QUARANTINE
    assert columns["work.ledger"][: len(CONTRACT_LEDGER)] == CONTRACT_LEDGER
    assert len(validate.PUBLICATIONS) == len({p.target for p in validate.PUBLICATIONS}) == 13


def test_after_publishing_a_run_without_new_drops_touches_nothing(world):
    _, wh, run, _ = world
    with warehouse.connect(wh) as con:
        warehouse.publish(con, validate.PUBLICATIONS)
        ledger = con.execute("SELECT count(*) FROM ops.drop_ledger").fetchall()[0][0]
        snapshot = con.execute("SELECT count(*) FROM snapshot.dtks_anggota").fetchall()[0][0]
    assert ledger == 7 and snapshot > 0
    before = (wh.stat().st_mtime_ns, wh.read_bytes())
    second = run()
    assert second.success
    assert (wh.stat().st_mtime_ns, wh.read_bytes()) == before
    validated = next(
        m for m in second.get_asset_materialization_events() if m.asset_key == dg.AssetKey("validated_drops")
    )
    assert "no new drops" in validated.materialization.metadata["outcome"].value


def test_validation_alone_marks_no_drop_partition_applied(world):
    # Nothing is published by extract and validate alone: every drop partition stays "loaded" (the publish
    # step logs "applied" after its commit, assets/registry/drop_partitions.py).
    _, _, _, first = world
    statuses = [
        (m.partition, m.materialization.metadata["status"].value)
        for m in first.get_asset_materialization_events()
        if m.asset_key == dg.AssetKey("drop")
    ]
    assert len(statuses) == 7
    assert {status for _, status in statuses} == {"loaded"}
