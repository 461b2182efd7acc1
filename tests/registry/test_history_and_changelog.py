"""History and changelog across two runs: a death, a move, a split, a merge, and a run that changes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from support.duck import query
from support.registry_world import (
    POOR_SURVEY,
    UPSTREAM_PUBLICATIONS,
    RunRegistry,
    World,
    build_registry_steps,
)
from support.surveys import MIDDLE_SURVEY

from assets.registry.publish import publish_run, run_state
from sejahtera import warehouse


def _changes(path: Path, run_id: str) -> dict[tuple[str, str], list[tuple]]:
    rows = query(
        path,
        "SELECT entity_id, change, field, old_value, new_value, reason FROM registry.changelog WHERE run_id = ?",
        [run_id],
    )
    found: dict[tuple[str, str], list[tuple]] = {}
    for entity_id, change, *rest in rows:
        found.setdefault((entity_id, change), []).append(tuple(rest))
    return found


def test_a_death_a_move_and_a_split_get_history_rows_and_reasons(
    world: World, warehouse_path: Path, run_registry: RunRegistry
) -> None:
    family = world.household(survey=MIDDLE_SURVEY, dtks={"pkh": True})
    father = family.person("AYAH", date(1950, 1, 1), hubungan=1)
    family.person("IBU", date(1955, 1, 1), "P", hubungan=2)
    son = family.person("ANAK", date(1990, 1, 1), hubungan=3)
    mover_home = world.household(survey=POOR_SURVEY)
    mover = mover_home.person("PERANTAU", date(1985, 1, 1))
    run_registry(world, "run-1")

    father.alive, father.died, father.dukcapil_drop = False, date(2026, 11, 22), "20261124"
    mover.kode_wilayah, mover.dukcapil_drop = "3273012001", "20261127"
    new_family = world.household(no_kk="3201010000880001")
    world.move_person(son, new_family)
    run_registry(world, "run-2")

    started = dict(
        query(warehouse_path, "SELECT run_id, min(valid_from) FROM registry.person_history GROUP BY 1")
    )
    father_history = query(
        warehouse_path,
        "SELECT status_hidup, tanggal_meninggal, valid_from, valid_to, run_id, closed_by_run_id "
        "FROM registry.person_history WHERE person_id = ? ORDER BY valid_from",
        [father.person_id],
    )
    mover_history = query(
        warehouse_path,
        "SELECT kode_wilayah, valid_to FROM registry.person_history WHERE person_id = ? ORDER BY valid_from",
        [mover.person_id],
    )
    [(untouched,)] = query(
        warehouse_path,
        "SELECT count(*) FROM registry.person_history WHERE person_id = ?",
        [family.members[1].person_id],
    )
    [registry_person] = query(
        warehouse_path,
        "SELECT status_hidup, household_id FROM registry.person WHERE person_id = ?",
        [father.person_id],
    )

    assert father_history == [
        ("HIDUP", None, started["run-1"], started["run-2"], "run-1", "run-2"),
        ("MATI", date(2026, 11, 22), started["run-2"], None, "run-2", None),
    ]
    assert mover_history == [("3201012001", started["run-2"]), ("3273012001", None)]
    assert untouched == 1  # the mother did not change: no new version
    assert registry_person == ("MATI", family.household_id)  # the dead stay in registry.person

    changes = _changes(warehouse_path, "run-2")
    (died,) = changes[(father.person_id, "died")]
    assert died[:3] == ("status_hidup", "HIDUP", "MATI")
    assert "dukcapil drop 20261124 (peristiwa.csv row" in died[3]
    (moved,) = changes[(mover.person_id, "moved")]
    assert moved[:3] == ("kode_wilayah", "3201012001", "3273012001")
    assert "dukcapil drop 20261127" in moved[3]
    (joined,) = changes[(son.person_id, "household_changed")]
    assert joined[1:3] == (family.household_id, new_family.household_id)
    (split,) = changes[(new_family.household_id, "split")]
    assert split[1:3] == (family.household_id, new_family.household_id)
    (members,) = changes[(family.household_id, "members_changed")]
    assert members[1:3] == ("3", "1")
    assert "1 died" in members[3] and "1 left" in members[3]
    (household_moved,) = changes[(mover_home.household_id, "moved")]
    assert household_moved[2] == "3273012001"
    # Run 1's changelog is still there (the changelog is appended, never rewritten).
    assert (father.person_id, "entered") in _changes(warehouse_path, "run-1")


def test_a_merged_person_and_a_dissolved_household_are_explained(
    world: World, warehouse_path: Path, run_registry: RunRegistry
) -> None:
    home = world.household(survey=MIDDLE_SURVEY)
    home.person("KEPALA", date(1970, 1, 1))
    elsewhere = world.household(dtks={})
    duplicate = elsewhere.person("GANDA", date(1980, 1, 1), in_dukcapil=False)
    run_registry(world, "run-1")

    # Reconcile now finds the "duplicate" is the head's record: its source records belong to the head.
    with warehouse.connect(warehouse_path) as con:
        world.write(con, "run-2")
        con.execute(
            "UPDATE work.source_link SET registry_id = ? WHERE registry_id = ?",
            [home.members[0].person_id, duplicate.person_id],
        )
        con.execute("DELETE FROM work.person_resolved WHERE person_id = ?", [duplicate.person_id])
        con.execute(
            "UPDATE work.person_record SET person_id = ? WHERE person_id = ?",
            [home.members[0].person_id, duplicate.person_id],
        )
        con.execute("DELETE FROM work.household_record WHERE household_id = ?", [elsewhere.household_id])
        con.execute("DELETE FROM work.source_link WHERE registry_id = ?", [elsewhere.household_id])
    build_registry_steps(warehouse_path)
    with warehouse.connect(warehouse_path) as con:
        publish_run(con, run_state(con, "run-2"), UPSTREAM_PUBLICATIONS, [])

    changes = _changes(warehouse_path, "run-2")
    (merged,) = changes[(duplicate.person_id, "merged")]
    assert merged[1:3] == (duplicate.person_id, home.members[0].person_id)
    (removed,) = changes[(elsewhere.household_id, "removed")]
    assert removed[3] == "no member of the family remains in the registry"
    closed = query(
        warehouse_path,
        "SELECT valid_to IS NOT NULL, closed_by_run_id FROM registry.person_history WHERE person_id = ?",
        [duplicate.person_id],
    )
    assert closed == [(True, "run-2")]


def test_a_run_with_the_same_data_adds_no_version_and_no_change(
    world: World, warehouse_path: Path, run_registry: RunRegistry
) -> None:
    world.household(survey=MIDDLE_SURVEY).person("TETAP", date(1970, 1, 1))
    run_registry(world, "run-1")
    run_registry(world, "run-2")
    [(versions,)] = query(warehouse_path, "SELECT count(*) FROM registry.person_history")
    [(changes,)] = query(warehouse_path, "SELECT count(*) FROM registry.changelog WHERE run_id = 'run-2'")
    assert (versions, changes) == (1, 0)


def test_the_last_living_member_dying_ends_ranking_and_eligibility_with_reasons(
    world: World, warehouse_path: Path, run_registry: RunRegistry
) -> None:
    widow = world.household(survey=POOR_SURVEY, dtks={"pkh": True})
    last = widow.person("NENEK", date(1935, 1, 1), "P")
    for i in range(4):
        world.household(survey=MIDDLE_SURVEY | {"luas_lantai_m2": 60.0 + i}).person(
            f"TETANGGA {i}", date(1970, 1, 1)
        )
    run_registry(world, "run-1")
    last.alive, last.died, last.dukcapil_drop = False, date(2026, 11, 23), "20261124"
    run_registry(world, "run-2")

    changes = _changes(warehouse_path, "run-2")
    (decile,) = changes[(widow.household_id, "decile_changed")]
    assert decile[1:] == ("1", None, "no living member: out of the ranking")
    flags = {c[0]: c[1:] for c in changes[(widow.household_id, "eligibility_changed")]}
    assert flags["eligible_pkh"] == ("true", "false", "no living member: eligible for nothing")
    assert set(flags) == {"eligible_pkh", "eligible_bpnt", "eligible_pbi"}
    (members,) = changes[(widow.household_id, "members_changed")]
    assert members[1:3] == ("1", "0")
    row = query(
        warehouse_path,
        "SELECT jumlah_anggota, welfare_score, desil_nasional, eligible_pkh, eligible_bpnt, eligible_pbi "
        "FROM registry.household WHERE household_id = ?",
        [widow.household_id],
    )
    errors = query(
        warehouse_path,
        "SELECT reason, programme FROM registry.targeting_error WHERE household_id = ? ORDER BY 1, 2",
        [widow.household_id],
    )
    assert row == [(0, None, None, False, False, False)]
    # Still receiving PKH in DTKS: flagged for follow-up, both as a dead person listed and a household without living member.
    assert errors == [("dead_listed", "pkh"), ("no_living_member", "pkh")]


def test_a_corrected_birth_date_is_explained_without_showing_it(
    world: World, warehouse_path: Path, run_registry: RunRegistry
) -> None:
    family = world.household(survey=MIDDLE_SURVEY)
    person = family.person("SITI", date(1980, 2, 3))
    run_registry(world, "run-1")
    person.tanggal_lahir = date(1981, 4, 5)
    run_registry(world, "run-2")

    corrected = [c for c in _changes(warehouse_path, "run-2")[(person.person_id, "identity_corrected")]]
    assert [c[:3] for c in corrected if c[0] == "tanggal_lahir"] == [
        ("tanggal_lahir", "****-**-**", "****-**-**")
    ]
    shown = repr(corrected)
    assert "1980" not in shown and "1981" not in shown
