"""The reconcile stage as Dagster runs it: real materialisations, asset checks, the model job, the publications."""

import dagster as dg
import pytest
from support.duck import query
from support.identities import kk, nik
from support.snapshots import Snapshots, training_population

import assets.reconcile.defs as reconcile_assets
from assets import reconcile
from assets.reconcile import model_store
from assets.reconcile.checks import SQL
from sejahtera import warehouse
from sejahtera.resources import LandingZoneResource, RulesResource, WarehouseResource

NIGHTLY_ASSETS = ["dukcapil_population", "standardised_records", "resolved_persons", "resolved_households"]


def _resources(path, tmp_path):
    return {
        "warehouse": WarehouseResource(path=str(path)),
        "landing": LandingZoneResource(root=str(tmp_path)),
        "rules": RulesResource(),
    }


def _source_snapshots(snaps: Snapshots) -> dg.AssetsDefinition:
    """Stands in for the validate stage: starts the run's work area and writes the eight snapshots."""

    @dg.asset(key="source_snapshots", pool="warehouse")
    def source_snapshots(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
        snaps.write(warehouse.file, context.run.run_id)

    return source_snapshots


def _small_town() -> Snapshots:
    snaps = Snapshots()
    father, mother = nik("1960-04-12", "L", 51), nik("1963-09-03", "P", 52)
    snaps.penduduk(father, "SLAMET RIYADI", "L", "1960-04-12", kk(1))
    snaps.penduduk(mother, "SRI WAHYUNI", "P", "1963-09-03", kk(1))
    snaps.dtks_keluarga("D1", kk(1))
    snaps.dtks_anggota("D1-1", "D1", father, "SLAMET RIYADI", "L", "1960-04-12", 1)
    snaps.dtks_anggota("D1-2", "D1", None, "Hj. Sri Wahyuni", "P", "1963-09-03", 2)
    snaps.p3ke_keluarga("K1", kk(1))
    return snaps


def _materialize(assets, path, tmp_path, raise_on_error=True) -> dg.ExecuteInProcessResult:
    """A real materialisation on a test instance of its own (no Dagster state shared with other tests)."""
    with dg.instance_for_test() as instance:
        return dg.materialize(
            assets,
            instance=instance,
            resources=_resources(path, tmp_path),
            raise_on_error=raise_on_error,
        )


def _publish_snapshots(path) -> None:
    """What a nightly run's publish leaves behind: ``snapshot.*`` from the work area (which it then drops)."""
    with warehouse.connect(path) as con:
        con.execute("CREATE SCHEMA snapshot")
        for (table,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'work' "
            "AND table_name LIKE 'snapshot_%' AND table_catalog = current_database()"
        ).fetchall():
            con.execute(
                f"CREATE TABLE snapshot.{table.removeprefix('snapshot_')} AS SELECT * FROM work.{table}"
            )
        con.execute("DROP SCHEMA work CASCADE")


def _store_model(path, model) -> None:
    with warehouse.connect(path) as con:
        model_store.store(con, model_store.PUBLISHED_TABLE, model, run_id=None)


def test_every_step_is_a_no_op_when_the_run_found_no_new_drops(warehouse_path, tmp_path):
    selected = [a for a in reconcile.asset_defs if a.key.to_user_string() in NIGHTLY_ASSETS]
    result = _materialize([*selected, *reconcile.asset_checks], warehouse_path, tmp_path)
    assert result.success
    for key in NIGHTLY_ASSETS:
        materialization = result.asset_materializations_for_node(key)[0]
        assert "no new drops" in materialization.metadata["note"].value
    assert all(e.passed for e in result.get_asset_check_evaluations())
    assert not warehouse_path.exists()  # nothing was even opened for writing


def test_a_nightly_run_reconciles_and_its_checks_pass(warehouse_path, tmp_path, trained_model):
    _store_model(warehouse_path, trained_model)
    selected = [a for a in reconcile.asset_defs if a.key.to_user_string() in NIGHTLY_ASSETS]
    result = _materialize(
        [_source_snapshots(_small_town()), *selected, *reconcile.asset_checks], warehouse_path, tmp_path
    )
    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {
        "every_record_linked_once": True,
        "one_dukcapil_record_per_person": True,
        "households_have_members": True,
        "one_record_per_agency_per_household": True,
    }
    persons = result.asset_materializations_for_node("resolved_persons")[0].metadata
    assert persons["model trained in this run"].value is False
    assert persons["persons"].value == 2
    assert query(warehouse_path, "SELECT entity, count(*) FROM work.source_link GROUP BY 1 ORDER BY 1") == [
        ("household", 2),
        ("person", 4),
    ]
    assert query(warehouse_path, "SELECT count(*) FROM work.linkage_model") == [(0,)]


def test_without_a_stored_model_the_run_trains_one_and_publishes_it(warehouse_path, tmp_path):
    selected = [a for a in reconcile.asset_defs if a.key.to_user_string() in NIGHTLY_ASSETS]
    result = _materialize(
        [_source_snapshots(training_population(60, seed=3)), *selected], warehouse_path, tmp_path
    )
    persons = result.asset_materializations_for_node("resolved_persons")[0].metadata
    assert persons["model trained in this run"].value is True
    with warehouse.connect(warehouse_path) as con:
        warehouse.publish(con, reconcile.PUBLICATIONS)
        stored = model_store.latest(con, model_store.PUBLISHED_TABLE)
        evidence = con.execute(
            "SELECT count(*), count(DISTINCT person_id) FROM registry.link_evidence"
        ).fetchall()
    assert stored is not None and stored.training_records > 0
    assert evidence[0][0] > 0


def test_the_model_job_trains_on_the_published_snapshots(warehouse_path, tmp_path):
    training_population(60, seed=5).write(warehouse_path, "some-earlier-run")
    _publish_snapshots(warehouse_path)
    result = _materialize([reconcile_assets.linkage_model], warehouse_path, tmp_path)
    metadata = result.asset_materializations_for_node("linkage_model")[0].metadata
    records = query(warehouse_path, "SELECT training_records, settings_fingerprint FROM ops.linkage_model")
    assert records == [(metadata["training records"].value, metadata["settings fingerprint"].value)]
    assert records[0][0] > 100


def test_the_model_job_without_published_snapshots_fails_with_one_clear_line(warehouse_path, tmp_path):
    result = _materialize([reconcile_assets.linkage_model], warehouse_path, tmp_path, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.event_specific_data.error.message
    assert "no published snapshot to train on" in message
    assert "Traceback" not in message


@pytest.mark.parametrize("damage", ["DELETE FROM work.source_link WHERE source_record_id = 'D1-2'",
                                    "INSERT INTO work.source_link SELECT * FROM work.source_link LIMIT 1"])  # fmt: skip
def test_the_nothing_lost_check_finds_a_missing_or_doubled_link(
    warehouse_path, tmp_path, trained_model, damage
):
    _store_model(warehouse_path, trained_model)
    selected = [a for a in reconcile.asset_defs if a.key.to_user_string() in NIGHTLY_ASSETS]
    _materialize([_source_snapshots(_small_town()), *selected], warehouse_path, tmp_path)
    with warehouse.connect(warehouse_path) as con:
        assert con.execute(SQL.text("check_source_link_once")).fetchall() == []
        con.execute(damage)
        problems = con.execute(SQL.text("check_source_link_once")).fetchall()
    assert len(problems) == 1


def _agency_only(snaps: Snapshots) -> Snapshots:
    """The same snapshots with Dukcapil's population removed (say, before its first drop arrived)."""
    snaps.rows["snapshot_dukcapil_penduduk"] = []
    snaps.rows["snapshot_dukcapil_peristiwa"] = []
    return snaps


def test_a_run_before_any_dukcapil_drop_links_agencies_but_keeps_no_model(warehouse_path, tmp_path):
    selected = [a for a in reconcile.asset_defs if a.key.to_user_string() in NIGHTLY_ASSETS]
    result = _materialize(
        [
            _source_snapshots(_agency_only(training_population(40, seed=9))),
            *selected,
            *reconcile.asset_checks,
        ],
        warehouse_path,
        tmp_path,
    )
    assert result.success
    assert all(e.passed for e in result.get_asset_check_evaluations())
    assert query(warehouse_path, "SELECT count(*) FROM work.linkage_model") == [(0,)]
    statuses = dict(query(warehouse_path, "SELECT nik_status, count(*) FROM work.person_resolved GROUP BY 1"))
    assert "padan" not in statuses and statuses.get("tidak_padan", 0) > 0


def test_the_model_job_refuses_snapshots_without_near_certain_matches(warehouse_path, tmp_path):
    _agency_only(training_population(30, seed=5)).write(warehouse_path, "an-earlier-run")
    _publish_snapshots(warehouse_path)
    result = _materialize([reconcile_assets.linkage_model], warehouse_path, tmp_path, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "near-certain matches" in failure.event_specific_data.error.message
    assert query(
        warehouse_path, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'linkage_model'"
    ) == [(0,)]


def _dukcapil_only() -> Snapshots:
    """Dukcapil's first full, before any agency drop: nobody to link, nothing to train on."""
    snaps = Snapshots()
    snaps.penduduk(nik("1960-04-12", "L", 51), "SLAMET RIYADI", "L", "1960-04-12", kk(1))
    snaps.penduduk(nik("1963-09-03", "P", 52), "SRI WAHYUNI", "P", "1963-09-03", kk(1))
    return snaps


@pytest.mark.parametrize(
    "snapshots",
    [_dukcapil_only, _small_town, lambda: _agency_only(_small_town()), lambda: Snapshots()],
    ids=["dukcapil_only", "one_small_family", "one_agency_family", "nothing_at_all"],
)
def test_a_first_run_with_too_little_to_train_a_model_links_deterministically(
    warehouse_path, tmp_path, snapshots
):
    selected = [a for a in reconcile.asset_defs if a.key.to_user_string() in NIGHTLY_ASSETS]
    result = _materialize(
        [_source_snapshots(snapshots()), *selected, *reconcile.asset_checks], warehouse_path, tmp_path
    )
    assert result.success
    assert all(e.passed for e in result.get_asset_check_evaluations())
    records = query(warehouse_path, "SELECT count(*) FROM work.person_record")[0][0]
    linked = query(warehouse_path, "SELECT count(*) FROM work.source_link WHERE entity = 'person'")[0][0]
    assert linked == records
    assert query(warehouse_path, "SELECT count(*) FROM work.linkage_model") == [(0,)]
