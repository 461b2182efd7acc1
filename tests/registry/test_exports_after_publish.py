"""Exports: swapped in whole, their own folder for a full export, and completed by a later run when they fell
behind the published registry (their step failed after the publish)."""

import hashlib
import json
from datetime import date
from pathlib import Path

import dagster as dg
import pytest
from support.agency_drops import POOR_SURVEY
from support.registry_world import UPSTREAM_PUBLICATIONS, RunRegistry, World
from support.stand_in_upstream import stand_in_upstream
from support.surveys import MIDDLE_SURVEY

from assets import registry
from assets.registry import defs as registry_defs
from assets.registry.exports import export_folder, export_provinces, exports_behind
from pipelines.run_report import failure_message
from sejahtera import warehouse
from sejahtera.faults import FAULT_ENV, InjectedFault
from sejahtera.resources import LandingZoneResource, RulesResource, WarehouseResource

KEY = b"a-test-key-that-is-long-enough"


def _world(world: World) -> World:
    world.household(survey=POOR_SURVEY).person("WATI", date(1960, 1, 1), "P")
    world.household(kode_wilayah="5101012001", survey=MIDDLE_SURVEY).person("I WAYAN", date(1975, 1, 1))
    world.household(kode_wilayah="3301012001", survey=MIDDLE_SURVEY).person("SRI", date(1981, 1, 1), "P")
    return world


@pytest.fixture
def run_1(world: World, run_registry: RunRegistry) -> None:
    """This file's world (a household in each of three provinces), published by run-1."""
    _world(world)
    run_registry(world, "run-1")


def _whole(folder: Path) -> dict:
    """The export's manifest, after checking every file it lists is there with its hash (nothing else is)."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    present = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} - {"manifest.json"}
    assert present == set(manifest["files"])
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    return manifest


def test_an_export_killed_between_provinces_leaves_the_previous_one_whole(
    world: World,
    warehouse_path: Path,
    run_1: None,
    run_registry: RunRegistry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "exports"
    with warehouse.connect(warehouse_path, read_only=True) as con:
        export_provinces(con, folder, key=KEY, run_id="run-1")
    assert _whole(folder)["run_id"] == "run-1"

    world.household(kode_wilayah="5101012001", survey=POOR_SURVEY).person("NI KADEK", date(1990, 1, 1), "P")
    run_registry(world, "run-2")
    with warehouse.connect(warehouse_path, read_only=True) as con:
        assert exports_behind(con, folder)
        monkeypatch.setenv(FAULT_ENV, "exports:between_provinces:raise")
        with pytest.raises(InjectedFault):
            export_provinces(con, folder, key=KEY, run_id="run-2")
        previous = _whole(folder)
        assert previous["run_id"] == "run-1" and previous["provinces"]["51"]["households"] == 1

        monkeypatch.delenv(FAULT_ENV)
        export_provinces(con, folder, key=KEY, run_id="run-2")
        assert not exports_behind(con, folder)
    latest = _whole(folder)
    assert latest["run_id"] == "run-2" and latest["provinces"]["51"]["households"] == 2
    assert latest["registry_run_id"] == "run-2"
    # The half-written version of the failed export and the previous one are gone; only the one in use stays.
    assert [p.name for p in (tmp_path / ".exports.versions").iterdir()] == [folder.resolve().name]


def test_a_plain_export_folder_from_before_is_replaced_whole(
    world: World, warehouse_path: Path, run_1: None, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    (folder / "provinsi_99").mkdir(parents=True)
    (folder / "provinsi_99" / "old.csv").write_text("x\n", encoding="utf-8")
    with warehouse.connect(warehouse_path, read_only=True) as con:
        export_provinces(con, folder, key=KEY, run_id="run-1")
    assert folder.is_symlink()
    assert sorted(_whole(folder)["provinces"]) == ["32", "33", "51"]


def test_a_full_export_has_its_own_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SEJAHTERA_EXPORTS", str(tmp_path / "shared"))
    assert export_folder(tmp_path / "w.duckdb") == tmp_path / "shared"
    assert export_folder(tmp_path / "w.duckdb", full_identifiers=True) == tmp_path / "shared-full"
    monkeypatch.delenv("SEJAHTERA_EXPORTS")
    assert export_folder(tmp_path / "w.duckdb", full_identifiers=True) == tmp_path / "exports-full"


# --- in Dagster: exports are a retryable step that a later run completes -------------------------------------


def _stage(world: World | None) -> list:
    """The registry stage's assets, behind a stand-in upstream writing ``world`` (none: a run without drops)."""
    if world is None:
        return [*registry.asset_defs, *registry.asset_checks]
    return [stand_in_upstream(world), *registry.asset_defs, *registry.asset_checks]


def _run(root: Path, instance: dg.DagsterInstance, world: World | None) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        _stage(world),
        resources={
            "warehouse": WarehouseResource(path=str(root / "warehouse" / "sejahtera.duckdb")),
            "landing": LandingZoneResource(root=str(root / "landing")),
            "rules": RulesResource(),
        },
        instance=instance,
        tags={"sejahtera/trigger": "cli"},
        raise_on_error=False,
    )


def test_exports_that_failed_after_the_publish_are_reported_truthfully_and_completed_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry_defs, "upstream_publications", lambda: (UPSTREAM_PUBLICATIONS, []))
    monkeypatch.setenv("SEJAHTERA_EXPORT_KEY", KEY.decode())
    monkeypatch.setenv("SEJAHTERA_EXPORTS", str(tmp_path / "exports"))
    warehouse_file = tmp_path / "warehouse" / "sejahtera.duckdb"
    with dg.DagsterInstance.ephemeral() as instance:
        monkeypatch.setenv(FAULT_ENV, "exports:between_provinces:raise")
        failed = _run(tmp_path, instance, _world(World()))
        assert not failed.success
        message = failure_message(instance, warehouse_file)
        assert "registry WAS published" in message and "province_exports" in message
        assert "unchanged" not in message
        assert not (tmp_path / "exports").exists()

        monkeypatch.delenv(FAULT_ENV)
        later = _run(tmp_path, instance, None)
        assert later.success
        outcome = later.asset_materializations_for_node("province_exports")[0].metadata["outcome"].value
        assert outcome == "tokenised export of 3 provinces"
        with warehouse.connect(warehouse_file, read_only=True) as con:
            published_by = con.execute("SELECT DISTINCT run_id FROM ops.drop_ledger").fetchall()
        assert _whole(tmp_path / "exports")["registry_run_id"] == published_by[0][0] == failed.run_id

        again = _run(tmp_path, instance, None)
        outcome = again.asset_materializations_for_node("province_exports")[0].metadata["outcome"].value
        assert outcome == "exports are as new as the published registry"


def test_a_run_that_failed_before_the_publish_says_the_registry_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry_defs, "upstream_publications", lambda: (UPSTREAM_PUBLICATIONS, []))
    monkeypatch.setenv(FAULT_ENV, "publish:before_commit:raise")
    with dg.DagsterInstance.ephemeral() as instance:
        failed = _run(tmp_path, instance, _world(World()))
        assert not failed.success
        message = failure_message(instance, tmp_path / "warehouse" / "sejahtera.duckdb")
    assert "publish_registry" in message and "previously published registry is unchanged" in message
