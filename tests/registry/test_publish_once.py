"""A run publishes once and a drop is applied once: a retry after the commit adds nothing, a drop the ledger has
applied already refuses the whole publish (``assets/registry/publish_guards.py``)."""

from datetime import date
from pathlib import Path

import dagster as dg
import pytest
from support.agency_drops import POOR_SURVEY
from support.registry_world import UPSTREAM_PUBLICATIONS, RunRegistry, World, build_registry_steps
from support.stand_in_upstream import stand_in_upstream
from support.surveys import MIDDLE_SURVEY

from assets import registry
from assets.registry import defs as registry_defs
from assets.registry.publish import publish_run, run_state
from assets.registry.publish_guards import DropAppliedTwice
from sejahtera import warehouse
from sejahtera.faults import FAULT_ENV
from sejahtera.resources import LandingZoneResource, RulesResource, WarehouseResource


def _world() -> World:
    world = World()
    family = world.household(survey=MIDDLE_SURVEY, dtks={"pkh": True}, p3ke={"desil": 2, "program": "PKH"})
    family.person("AHMAD", date(1970, 1, 1), hubungan=1)
    family.person("SITI", date(1975, 1, 1), "P", hubungan=2)
    world.household(kode_wilayah="5101012001", survey=POOR_SURVEY).person("WATI", date(1960, 1, 1), "P")
    return world


def _row_counts(path: Path) -> dict[str, int]:
    with warehouse.connect(path, read_only=True) as con:
        names = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_catalog = current_database() AND table_schema <> 'work' ORDER BY 1"
        ).fetchall()
        return {n: con.execute(f"SELECT count(*) FROM {n}").fetchall()[0][0] for (n,) in names}


def _nightly_like_run(root: Path, world: World, retries: int) -> dg.ExecuteInProcessResult:
    """The registry stage behind a stand-in upstream, with the nightly job's kind of retry policy (no delay)."""

    defs = dg.Definitions(
        assets=[stand_in_upstream(world), *registry.asset_defs],
        asset_checks=registry.asset_checks,
        jobs=[dg.define_asset_job("stage", op_retry_policy=dg.RetryPolicy(max_retries=retries))],
        resources={
            "warehouse": WarehouseResource(path=str(root / "warehouse" / "sejahtera.duckdb")),
            "landing": LandingZoneResource(root=str(root / "landing")),
            "rules": RulesResource(),
        },
    )
    with dg.DagsterInstance.ephemeral() as instance:
        return defs.resolve_job_def("stage").execute_in_process(instance=instance, raise_on_error=False)


@pytest.fixture(autouse=True)
def _registry_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(registry_defs, "upstream_publications", lambda: (UPSTREAM_PUBLICATIONS, []))
    monkeypatch.setenv("SEJAHTERA_EXPORT_KEY", "a-test-key-that-is-long-enough")
    monkeypatch.setenv("SEJAHTERA_EXPORTS", str(tmp_path / "exports"))


def test_a_publish_retried_after_its_commit_adds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = _nightly_like_run(tmp_path / "clean", _world(), retries=1)
    assert clean.success

    # The fault: the publish commits, then the step fails (as building its metadata or chart could) and the
    # retry policy runs it again over the same work area.
    monkeypatch.setenv(FAULT_ENV, "publish:after_commit:raise")
    retried = _nightly_like_run(tmp_path / "retried", _world(), retries=1)
    assert retried.success
    publish_events = retried.events_for_node("publish_registry")
    assert [e.event_type_value for e in publish_events if e.event_type_value == "STEP_UP_FOR_RETRY"] == [
        "STEP_UP_FOR_RETRY"
    ]
    assert _row_counts(tmp_path / "retried" / "warehouse" / "sejahtera.duckdb") == _row_counts(
        tmp_path / "clean" / "warehouse" / "sejahtera.duckdb"
    )
    metadata = retried.asset_materializations_for_node("publish_registry")[0].metadata
    assert "earlier attempt" in metadata["published by"].value


def test_without_a_retry_the_run_fails_but_the_registry_stays_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FAULT_ENV, "publish:after_commit:raise")
    failed = _nightly_like_run(tmp_path, _world(), retries=0)
    assert not failed.success
    counts = _row_counts(tmp_path / "warehouse" / "sejahtera.duckdb")
    assert counts["registry.person"] == 3 and counts["ops.drop_ledger"] == 4


def _reapply(world: World, warehouse_path: Path, run_id: str, sql: str) -> None:
    """Write ``run_id``'s work area, then make its ledger claim drops as ``sql`` says."""
    with warehouse.connect(warehouse_path) as con:
        world.write(con, run_id)
        con.execute(sql)
    build_registry_steps(warehouse_path)


def test_the_ledger_refuses_to_apply_a_drop_twice(
    world: World, warehouse_path: Path, run_registry: RunRegistry
) -> None:
    world.household(survey=POOR_SURVEY).person("WATI", date(1960, 1, 1), "P")
    run_registry(world, "run-1")
    with warehouse.connect(warehouse_path, read_only=True) as con:
        first_ids = dict(con.execute("SELECT source, drop_id FROM ops.drop_ledger").fetchall())
    before = _row_counts(warehouse_path)

    cases = {
        # Another instance applied dtks' drop already: the same (source, drop_id) comes in applied again.
        "run-2": f"UPDATE work.ledger SET drop_id = '{first_ids['dtks']}' WHERE source = 'dtks'",
        # A Dukcapil delta with the drop id of an applied drop cannot be applied either.
        "run-3": f"UPDATE work.ledger SET drop_id = '{first_ids['dukcapil']}', kind = 'delta' "
        "WHERE source = 'dukcapil'",
        # One run applying the same drop twice.
        "run-4": "INSERT INTO work.ledger SELECT * FROM work.ledger WHERE source = 'p3ke'",
    }
    for run_id, sql in cases.items():
        _reapply(world, warehouse_path, run_id, sql)
        with warehouse.connect(warehouse_path) as con, pytest.raises(DropAppliedTwice, match="second time"):
            publish_run(con, run_state(con, run_id), UPSTREAM_PUBLICATIONS, [])
        assert _row_counts(warehouse_path) == before, run_id


def test_duplicate_and_rejected_rows_of_an_applied_drop_may_repeat(
    world: World, warehouse_path: Path, run_registry: RunRegistry
) -> None:
    world.household(survey=POOR_SURVEY).person("WATI", date(1960, 1, 1), "P")
    run_registry(world, "run-1")
    for run_id, status in (("run-2", "duplicate"), ("run-3", "rejected")):
        _reapply(
            world,
            warehouse_path,
            run_id,
            f"UPDATE work.ledger SET drop_id = (SELECT min(drop_id) FROM ops.drop_ledger AS l "
            f"WHERE l.source = work.ledger.source), status = '{status}'",
        )
        with warehouse.connect(warehouse_path) as con:
            outcome = publish_run(con, run_state(con, run_id), UPSTREAM_PUBLICATIONS, [])
        assert "ops.drop_ledger" in outcome.published
    with warehouse.connect(warehouse_path, read_only=True) as con:
        statuses = con.execute(
            "SELECT status, count(*) FROM ops.drop_ledger GROUP BY ALL ORDER BY 1"
        ).fetchall()
    assert statuses == [("applied", 4), ("duplicate", 4), ("rejected", 4)]
