"""The registry stage run by Dagster: metadata for the UI, checks, blocking, and a rerun that changes no byte."""

import hashlib
from datetime import date
from pathlib import Path

import dagster as dg
import pytest
import yaml
from support.registry_world import POOR_SURVEY, RICH_SURVEY, UPSTREAM_PUBLICATIONS, World
from support.stand_in_upstream import stand_in_upstream
from support.surveys import MIDDLE_SURVEY

from assets import registry
from assets.registry import defs as registry_defs
from assets.registry.config import ELIGIBILITY_FILE
from sejahtera import warehouse
from sejahtera.resources import LandingZoneResource, RulesResource, WarehouseResource
from sejahtera.rule_config import CONFIG_DIR


def _world() -> World:
    world = World()
    for i, (region, survey) in enumerate(
        [("3201012001", POOR_SURVEY), ("3201022002", MIDDLE_SURVEY), ("5101012001", RICH_SURVEY)] * 5
    ):
        household = world.household(
            kode_wilayah=region, survey=survey | {"luas_lantai_m2": 15.0 + i}, dtks={"pkh": i < 4}
        )
        household.person(f"WARGA {i}", date(1970 + i, 1, 1), hubungan=1)
        if i % 4 == 0:
            household.person(f"ALMARHUM {i}", date(1930, 1, 1), alive=False, died=date(2026, 5, 1))
    return world


@pytest.fixture
def resources(tmp_path: Path) -> dict:
    return {
        "warehouse": WarehouseResource(path=str(tmp_path / "warehouse" / "sejahtera.duckdb")),
        "landing": LandingZoneResource(root=str(tmp_path / "landing")),
        "rules": RulesResource(),
    }


@pytest.fixture(autouse=True)
def _registry_only_publications(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The validate stage's publications as docs/architecture.md names them, the reconcile stage's left out:
    # this file tests the registry stage alone (the nightly job's end-to-end test runs the real ones).
    monkeypatch.setattr(registry_defs, "upstream_publications", lambda: (UPSTREAM_PUBLICATIONS, []))
    monkeypatch.setenv("SEJAHTERA_EXPORT_KEY", "a-test-key-that-is-long-enough")
    monkeypatch.setenv("SEJAHTERA_EXPORTS", str(tmp_path / "exports"))


def _materialize(resources: dict, upstream: dg.AssetsDefinition | None = None) -> dg.ExecuteInProcessResult:
    # Entered as a context manager: the instance is then the one Dagster's definitions loading sees, whatever
    # state an earlier test left behind.
    with dg.DagsterInstance.ephemeral() as instance:
        return dg.materialize(
            [*([upstream] if upstream else []), *registry.asset_defs, *registry.asset_checks],
            resources=resources,
            instance=instance,
            raise_on_error=False,
        )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_run_publishes_with_metadata_and_passing_checks_and_a_rerun_changes_no_byte(
    resources: dict,
) -> None:
    result = _materialize(resources, stand_in_upstream(_world()))
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == 6
    assert all(e.passed for e in evaluations), [
        (e.check_name, e.metadata) for e in evaluations if not e.passed
    ]

    household = result.asset_materializations_for_node("publish_registry")
    by_key = {m.asset_key: m.metadata for m in household}
    metadata = by_key[dg.AssetKey(["registry", "household"])]
    assert metadata["dagster/row_count"].value == 15
    assert "data:image/png;base64," in metadata["decile distribution by province"].value
    assert "51 Bali" in metadata["households per decile and province"].value
    assert "entered" in by_key[dg.AssetKey(["registry", "changelog"])]["changes this run"].value
    ranking = result.asset_materializations_for_node("welfare_ranking")[0].metadata
    assert ranking["households ranked"].value == 15
    exports = result.asset_materializations_for_node("province_exports")[0].metadata
    assert exports["outcome"].value == "tokenised export of 2 provinces"

    path = resources["warehouse"].file
    before = _sha256(path)
    rerun = _materialize(resources)
    assert rerun.success
    assert _sha256(path) == before
    assert not Path(str(path) + ".wal").exists()
    outcomes = [
        m.metadata["outcome"].value for m in rerun.asset_materializations_for_node("publish_registry")
    ]
    assert set(outcomes) == {"no new drops: nothing to do"}
    assert all(e.passed for e in rerun.get_asset_check_evaluations())


class _EligibilityEditedAfterRanking(RulesResource):
    """The project's rule folder, except that every reader of eligibility.yaml after the first gets ``stricter``:
    the ranking (the first reader) applies the project's rule, the checks that follow it expect the stricter
    one, as if the file had been edited while the run went on. Readers are counted in a file, since Dagster
    may build the resource anew for each step."""

    stricter: str
    readers: str

    def file(self, name: str) -> Path:
        if name != ELIGIBILITY_FILE:
            return super().file(name)
        log = Path(self.readers)
        earlier = log.read_text(encoding="utf-8").count("\n") if log.exists() else 0
        log.write_text("read\n" * (earlier + 1), encoding="utf-8")
        return super().file(name) if earlier == 0 else Path(self.stricter)


def test_a_blocking_check_that_fails_stops_the_publish(resources: dict, tmp_path: Path) -> None:
    # The check expects PKH for desil 1-2 while the ranking applied 1-4: the flags disagree with the rule.
    rule = yaml.safe_load((CONFIG_DIR / ELIGIBILITY_FILE).read_text(encoding="utf-8"))
    assert rule["programmes"]["pkh"]["max_desil"] > 2
    rule["programmes"]["pkh"]["max_desil"] = 2
    stricter = tmp_path / "stricter_eligibility.yaml"
    stricter.write_text(yaml.safe_dump(rule), encoding="utf-8")
    resources["rules"] = _EligibilityEditedAfterRanking(
        stricter=str(stricter), readers=str(tmp_path / "eligibility_readers")
    )
    result = _materialize(resources, stand_in_upstream(_world()))
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [(e.asset_key, e.check_name) for e in failed] == [
        (dg.AssetKey("welfare_ranking"), "eligibility_per_config")
    ]
    assert failed[0].metadata["PKH flags differing from the rule"].value > 0
    with warehouse.connect(resources["warehouse"].file, read_only=True) as con:
        assert not warehouse.table_exists(con, "registry.household")


def test_exports_are_skipped_with_a_clear_message_without_a_key(
    resources: dict, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SEJAHTERA_EXPORT_KEY")
    result = _materialize(resources, stand_in_upstream(_world()))
    assert result.success  # a missing key skips the exports; it does not fail the night
    outcome = result.asset_materializations_for_node("province_exports")[0].metadata["outcome"].value
    assert outcome == "skipped: SEJAHTERA_EXPORT_KEY is not set: NIKs cannot be tokenised, nothing exported"
    assert not (tmp_path / "exports").exists()
