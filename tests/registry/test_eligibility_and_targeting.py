"""Eligibility exactly per config/eligibility.yaml, and the targeting-error report."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from support.registry_world import POOR_SURVEY, RICH_SURVEY, World

from assets.registry.config import ConfigError, Programme, load_eligibility
from assets.registry.eligibility import build_eligibility
from assets.registry.survivorship import build_survivors
from assets.registry.targeting import build_targeting_errors
from assets.registry.welfare import build_welfare
from sejahtera import warehouse
from sejahtera.privacy import mask_name, mask_number


def _twenty_households(world: World) -> list:
    households = []
    for i in range(20):
        household = world.household(survey=POOR_SURVEY | {"luas_lantai_m2": 10.0 + 5 * i})
        household.person(f"WARGA {i}", date(1980, 1, 1))
        households.append(household)
    gone = world.household(survey=POOR_SURVEY)
    gone.person("ALMARHUM", date(1930, 1, 1), alive=False, died=date(2025, 1, 1))
    return [*households, gone]


def _eligibility(path: Path, world: World, rules=None) -> dict:
    with warehouse.connect(path) as con:
        world.write(con, "run-1")
        build_survivors(con)
        build_welfare(con)
        build_eligibility(con, rules)
        return {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT w.household_id, w.jumlah_anggota, w.desil_nasional, e.eligible_pkh, e.eligible_bpnt, "
                "e.eligible_pbi, e.eligibility_reason FROM work.household_welfare AS w "
                "JOIN work.household_eligibility AS e USING (household_id)"
            ).fetchall()
        }


def test_flags_follow_the_national_decile_exactly(world: World, warehouse_path: Path) -> None:
    _twenty_households(world)
    flags = _eligibility(warehouse_path, world)
    assert len(flags) == 21
    for living, desil, pkh, bpnt, pbi, reason in flags.values():
        if living == 0:
            assert (desil, pkh, bpnt, pbi) == (None, False, False, False)
            assert "no living member" in reason
            continue
        assert pkh == (desil <= 4)
        assert bpnt == (desil <= 5)
        assert pbi == (desil <= 5)
        assert f"desil_nasional {desil}" in reason
    assert sum(f[2] for f in flags.values()) == 8  # deciles 1-4 of 20 ranked households
    assert sum(f[3] for f in flags.values()) == 10


def test_cutoffs_come_from_the_config(world: World, warehouse_path: Path) -> None:
    _twenty_households(world)
    rules = load_eligibility()
    stricter = dataclasses.replace(
        rules,
        programmes=rules.programmes | {"pkh": Programme("pkh", "PKH", 2, ("PKH",))},
    )
    flags = _eligibility(warehouse_path, world, stricter)
    assert sum(f[2] for f in flags.values()) == 4
    assert all(f[2] == (f[1] is not None and f[1] <= 2) for f in flags.values())


def test_eligibility_config_is_checked(tmp_path: Path) -> None:
    bad = tmp_path / "eligibility.yaml"
    bad.write_text(
        "version: x\nbasis: desil_nasional\nprogrammes: {pkh: {max_desil: 11}, bpnt: {max_desil: 5}, "
        "pbi: {max_desil: 5}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"pkh\.max_desil must be an integer 1\.\.10"):
        load_eligibility(bad)
    bad.write_text("version: x\nbasis: desil_provinsi\nprogrammes: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="basis must be desil_nasional"):
        load_eligibility(bad)


def _targeting(path: Path, world: World) -> list[tuple]:
    with warehouse.connect(path) as con:
        world.write(con, "run-1")
        build_survivors(con)
        build_welfare(con)
        build_eligibility(con)
        build_targeting_errors(con)
        return con.execute(
            "SELECT error_type, reason, programme, household_id, person_id, source, nik_masked, nama_masked, "
            "kk_masked, kode_provinsi, kode_kabupaten, desil_nasional FROM work.targeting_error"
        ).fetchall()


def test_targeting_errors_find_dead_listed_rich_recipients_and_the_excluded(
    world: World, warehouse_path: Path
) -> None:
    poor = []
    for i in range(8):
        household = world.household(survey=POOR_SURVEY | {"luas_lantai_m2": 10.0 + i}, dtks={"pkh": True})
        household.person(f"MISKIN {i}", date(1980, 1, 1))
        poor.append(household)
    excluded = world.household(survey=POOR_SURVEY | {"luas_lantai_m2": 9.0})
    excluded.person("TIDAK DAPAT", date(1980, 1, 1))
    rich = world.household(
        kode_wilayah="5101012001", survey=RICH_SURVEY, p3ke={"desil": 4, "program": "PKH; sembako"}
    )
    rich.person("KAYA", date(1970, 1, 1))
    dead = poor[0].person("SUDAH MENINGGAL", date(1950, 1, 1), alive=False, died=date(2026, 2, 1))
    gone = world.household(survey=POOR_SURVEY, dtks={"pbi": True})
    gone.person("SEMUA MENINGGAL", date(1930, 1, 1), alive=False, died=date(2025, 1, 1))

    errors = _targeting(warehouse_path, world)
    by_reason: dict[str, list[tuple]] = {}
    for row in errors:
        by_reason.setdefault(row[1], []).append(row)

    dead_rows = by_reason["dead_listed"]
    assert {r[4] for r in dead_rows} == {dead.person_id, gone.members[0].person_id}
    assert all(r[0] == "inclusion" for r in dead_rows)
    assert {r[6] for r in dead_rows if r[4] == dead.person_id} == {mask_number(dead.nik)}
    assert {r[7] for r in dead_rows if r[4] == dead.person_id} == {mask_name(dead.nama)}

    assert [(r[2], r[3]) for r in by_reason["no_living_member"]] == [("pbi", gone.household_id)]
    above = {(r[2], r[3]): r for r in by_reason["above_cutoff"]}
    assert {("pkh", rich.household_id), ("bpnt", rich.household_id)} <= set(above)
    assert above[("pkh", rich.household_id)][9:11] == ("51", "5101")
    cutoff = {"pkh": 4, "bpnt": 5, "pbi": 5}
    assert all(r[11] > cutoff[r[2]] for r in by_reason["above_cutoff"])
    # Ten ranked households, one per decile: the excluded one is poorest (decile 1), so the five PKH
    # recipients in deciles 5-9 are above the cutoff too, with the rich one in decile 10.
    expected = sorted([h.household_id for h in poor[3:]] + [rich.household_id])
    assert sorted(h for p, h in above if p == "pkh") == expected
    assert [r[3] for r in by_reason["eligible_receiving_nothing"]] == [excluded.household_id]
    assert by_reason["eligible_receiving_nothing"][0][0] == "exclusion"
    # Masked identifiers only: no raw NIK, KK or name anywhere in the follow-up list.
    raw = (
        {p.nik for p in world.persons} | {h.no_kk for h in world.households} | {p.nama for p in world.persons}
    )
    assert not any(str(cell) in raw for row in errors for cell in row if cell is not None)
    assert all(r[9:11] == (r[10][:2], r[10]) for r in errors)
