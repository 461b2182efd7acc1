"""The one atomic publish: contract columns exactly, all-or-nothing, and a registry left alone when nothing applied."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from support.registry_world import (
    POOR_SURVEY,
    UPSTREAM_PUBLICATIONS,
    RunRegistry,
    World,
    build_registry_steps,
)
from support.surveys import MIDDLE_SURVEY

from assets.registry import tables
from assets.registry.publish import PUBLICATIONS, RunState, publish_run, run_state
from sejahtera import warehouse
from sejahtera.warehouse import Publication

CONTRACT = {
    "registry.person": [
        "person_id", "nik", "nik_status", "nama", "jenis_kelamin", "tanggal_lahir", "household_id",
        "kode_wilayah", "status_hidup", "tanggal_meninggal",
    ],
    "registry.household": [
        "household_id", "no_kk", "kode_wilayah", "kode_provinsi", "jumlah_anggota", "welfare_score",
        "desil_nasional", "desil_provinsi", "miskin_ekstrem", "eligible_pkh", "eligible_bpnt", "eligible_pbi",
    ],
    "registry.source_link": [
        "source", "drop_id", "entity", "source_record_id", "registry_id", "match_method", "match_probability",
    ],
}  # fmt: skip


def _small_world(world: World) -> None:
    family = world.household(survey=MIDDLE_SURVEY, dtks={"pkh": True}, p3ke={"desil": 2, "program": "PKH"})
    family.person("AHMAD", date(1970, 1, 1), hubungan=1)
    family.person("SITI", date(1975, 1, 1), "P", hubungan=2)
    world.household(survey=POOR_SURVEY).person("WATI", date(1960, 1, 1), "P")


@pytest.fixture
def run_1(world: World, run_registry: RunRegistry) -> None:
    """The small world (a family of two, a widow), published by run-1."""
    _small_world(world)
    run_registry(world, "run-1")


def _dump(path: Path) -> dict[str, list[tuple]]:
    """Every published table's rows, in a stable order."""
    with warehouse.connect(path, read_only=True) as con:
        names = [
            f"{s}.{t}"
            for s, t in con.execute(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_catalog = current_database() AND table_schema <> 'work' ORDER BY 1, 2"
            ).fetchall()
        ]
        return {name: sorted(con.execute(f"SELECT * FROM {name}").fetchall(), key=repr) for name in names}


def test_published_tables_have_the_contract_columns_first_then_the_declared_ones(
    world: World, warehouse_path: Path, run_1: None
) -> None:
    with warehouse.connect(warehouse_path, read_only=True) as con:
        for table, contract in CONTRACT.items():
            assert [name for name, _ in tables.columns_of(con, table)][: len(contract)] == contract
        for table, declared in tables.DECLARED.items():
            assert tables.columns_of(con, table) == [(c.name, c.type) for c in declared], table
        assert tables.columns_of(con, "registry.source_link")[:7] == [
            (c.name, c.type) for c in tables.SOURCE_LINK_CONTRACT
        ]
        types = dict(tables.columns_of(con, "registry.household"))
    assert types["jumlah_anggota"] == "INTEGER"
    assert types["eligible_pkh"] == "BOOLEAN"


def test_a_failure_between_two_table_writes_leaves_the_old_registry_whole(
    world: World, warehouse_path: Path, run_1: None
) -> None:
    before = _dump(warehouse_path)

    world.persons[0].alive, world.persons[0].died = False, date(2026, 11, 25)
    world.household(survey=POOR_SURVEY).person("BARU", date(2000, 1, 1))
    with warehouse.connect(warehouse_path) as con:
        world.write(con, "run-2")
    build_registry_steps(warehouse_path)
    # The fault: after registry.person and registry.household are written, the next table cannot be.
    broken = [
        *PUBLICATIONS[:2],
        Publication("registry.zz_injected", "work.no_such_table", "replace"),
        *PUBLICATIONS[2:],
    ]
    with warehouse.connect(warehouse_path) as con, pytest.raises(Exception, match="no_such_table"):
        publish_run(con, run_state(con, "run-2"), UPSTREAM_PUBLICATIONS, [], broken)
    assert _dump(warehouse_path) == before

    # The same run publishes cleanly without the fault, and then the registry has changed.
    with warehouse.connect(warehouse_path) as con:
        publish_run(con, run_state(con, "run-2"), UPSTREAM_PUBLICATIONS, [])
    after = _dump(warehouse_path)
    assert after["registry.person"] != before["registry.person"]
    assert len(after["registry.household"]) == len(before["registry.household"]) + 1


def test_with_no_drop_applied_only_the_bookkeeping_is_published(
    world: World, warehouse_path: Path, run_1: None, run_registry: RunRegistry
) -> None:
    before = _dump(warehouse_path)
    outcome = run_registry(world, "run-2", applied=False)
    after = _dump(warehouse_path)
    assert outcome.state is RunState.NOTHING_APPLIED
    assert set(outcome.published) == {"ops.drop_ledger", "quality.quarantine", "quality.drop_report"}
    for name in before:
        if name.split(".")[0] in ("registry", "snapshot"):
            assert after[name] == before[name], name
    assert len(after["ops.drop_ledger"]) == 2 * len(before["ops.drop_ledger"])
    assert {r[3] for r in after["ops.drop_ledger"]} == {"applied", "rejected"}


def test_a_run_without_a_work_area_publishes_nothing(world: World, warehouse_path: Path) -> None:
    _small_world(world)
    with warehouse.connect(warehouse_path) as con:
        world.write(con, "run-1")
        assert run_state(con, "another-run") is RunState.NO_WORK
        assert publish_run(con, RunState.NO_WORK, UPSTREAM_PUBLICATIONS, []).published == ()
        assert not warehouse.table_exists(con, "registry.person")


@pytest.mark.parametrize("file_name", ["registry.duckdb", "work.duckdb"])
def test_the_warehouse_file_may_be_named_like_any_of_its_schemas(
    world: World, tmp_path: Path, file_name: str
) -> None:
    _small_world(world)
    path = tmp_path / file_name
    for run_id in ("run-1", "run-2"):
        with warehouse.connect(path) as con:
            world.write(con, run_id)
        build_registry_steps(path)
        with warehouse.connect(path) as con:
            publish_run(con, run_state(con, run_id), UPSTREAM_PUBLICATIONS, [])
        world.persons[0].alive, world.persons[0].died = False, date(2026, 11, 25)
    with warehouse.connect(path, read_only=True) as con:
        died = con.execute("SELECT count(*) FROM registry.changelog WHERE change = 'died'").fetchall()[0][0]
    assert died == 1
