"""Survivorship: which record each registry value comes from, and that every value can be traced back to it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from support.registry_world import DROPS, World
from support.surveys import MIDDLE_SURVEY

from assets.registry.config import ConfigError, load_survivorship
from assets.registry.survivorship import build_survivors
from sejahtera import warehouse


def _survive(path: Path, world: World) -> tuple[dict, dict, dict]:
    with warehouse.connect(path) as con:
        world.write(con, "run-1")
        build_survivors(con)
        persons = {r[0]: r for r in con.execute("SELECT * FROM work.person_survivor").fetchall()}
        households = {r[0]: r for r in con.execute("SELECT * FROM work.household_survivor").fetchall()}
        provenance = {
            (r[0], r[1], r[2]): r[3:]
            for r in con.execute(
                "SELECT entity, registry_id, field, source, drop_id, file, row_number, source_record_id, rule "
                "FROM work.field_provenance"
            ).fetchall()
        }
    return persons, households, provenance


def test_dukcapil_wins_identity_even_when_agencies_disagree(world: World, warehouse_path: Path) -> None:
    family = world.household(survey=MIDDLE_SURVEY, dtks={})
    person = family.person("SITI AMINAH", date(1980, 5, 1), "P")
    with warehouse.connect(warehouse_path) as con:
        world.write(con, "run-1")
        # The agencies misspelled the name and swapped day and month; Dukcapil is the authority.
        con.execute(
            "UPDATE work.person_record SET nama = 'SITTI AMINAH', tanggal_lahir = DATE '1980-01-05' "
            "WHERE source <> 'dukcapil'"
        )
        build_survivors(con)
        row = con.execute(
            "SELECT nama, tanggal_lahir FROM work.person_survivor WHERE person_id = ?", [person.person_id]
        ).fetchall()[0]
        source = con.execute(
            "SELECT source, file, row_number FROM work.field_provenance WHERE registry_id = ? AND field = 'nama'",
            [person.person_id],
        ).fetchall()[0]
    assert row == ("SITI AMINAH", date(1980, 5, 1))
    assert source == ("dukcapil", "penduduk.parquet", 1)


def test_a_person_dukcapil_lacks_takes_the_most_recent_agency_record(
    world: World, warehouse_path: Path
) -> None:
    family = world.household(survey=MIDDLE_SURVEY, dtks={})
    person = family.person("BUDI", date(1990, 2, 3), in_dukcapil=False, nik_status="tidak_padan")
    with warehouse.connect(warehouse_path) as con:
        world.write(con, "run-1")
        con.execute("UPDATE work.person_record SET nama = 'BUDI SANTOSO' WHERE source = 'dtks'")
        build_survivors(con)
        nama, status = con.execute(
            "SELECT nama, status_hidup FROM work.person_survivor WHERE person_id = ?", [person.person_id]
        ).fetchall()[0]
        traced = dict(
            con.execute(
                "SELECT field, source || ':' || coalesce(rule, '') FROM work.field_provenance WHERE registry_id = ?",
                [person.person_id],
            ).fetchall()
        )
    # DTKS (observed 2026-11-15) is more recent than the Regsosek survey (2026-09-15).
    assert nama == "BUDI SANTOSO"
    assert traced["nama"] == "dtks:fallback tier 2"
    # Nobody but Dukcapil records deaths: a person it lacks is HIDUP by the configured default, traced as such.
    assert status == "HIDUP"
    with warehouse.connect(warehouse_path, read_only=True) as con:
        rule = con.execute(
            "SELECT rule, source FROM work.field_provenance WHERE registry_id = ? AND field = 'status_hidup'",
            [person.person_id],
        ).fetchall()
    assert rule == [("default", None)]


def test_every_value_is_traced_to_a_delivered_row(world: World, warehouse_path: Path) -> None:
    family = world.household(survey=MIDDLE_SURVEY, dtks={"pkh": True}, p3ke={"desil": 2, "miskin": True})
    head = family.person("AHMAD", date(1970, 1, 1), hubungan=1)
    family.person("FATIMAH", date(1972, 1, 1), "P", hubungan=2)
    _persons, households, provenance = _survive(warehouse_path, world)
    for field in ("nama", "jenis_kelamin", "tanggal_lahir", "kode_wilayah", "no_kk", "status_hidup"):
        assert provenance[("person", head.person_id, field)][:4] == (
            "dukcapil",
            DROPS["dukcapil"],
            "penduduk.parquet",
            1,
        )
    household = family.household_id
    assert provenance[("household", household, "survey_record")][:2] == ("regsosek", DROPS["regsosek"])
    assert provenance[("household", household, "miskin_ekstrem")][:3] == (
        "p3ke",
        DROPS["p3ke"],
        "keluarga.csv.gz",
    )
    assert provenance[("household", household, "no_kk")][0] == "dukcapil"
    assert households[household][9] is True  # miskin_ekstrem
    assert households[household][5] == 2  # jumlah_anggota
    # The traced row really holds the value: follow it back into the snapshot.
    with warehouse.connect(warehouse_path, read_only=True) as con:
        _source, drop_id, file, row_number, record, _ = provenance[("household", household, "miskin_ekstrem")]
        delivered = con.execute(
            "SELECT status_miskin_ekstrem FROM work.snapshot_p3ke_keluarga WHERE drop_id = ? AND file = ? "
            "AND row_number = ? AND id_keluarga_p3ke = ?",
            [drop_id, file, row_number, record],
        ).fetchall()
    assert delivered == [(True,)]


def test_death_date_comes_with_the_status_that_says_mati(world: World, warehouse_path: Path) -> None:
    family = world.household()
    dead = family.person("ALMARHUM", date(1940, 1, 1), alive=False, died=date(2026, 6, 30))
    living = family.person("HIDUP", date(1970, 1, 1))
    persons, households, _ = _survive(warehouse_path, world)
    assert persons[dead.person_id][9:11] == ("MATI", date(2026, 6, 30))
    assert persons[living.person_id][9:11] == ("HIDUP", None)
    assert households[family.household_id][5:7] == (1, 2)  # living, on record


def test_family_card_follows_most_living_members(world: World, warehouse_path: Path) -> None:
    family = world.household(no_kk="3201010000990001")
    family.person("A", date(1970, 1, 1), no_kk="3201010000770001")  # one member still on an old card
    family.person("B", date(1972, 1, 1))
    family.person("C", date(2000, 1, 1))
    _, households, _ = _survive(warehouse_path, world)
    assert households[family.household_id][1] == "3201010000990001"


def test_survivorship_config_is_checked(tmp_path: Path) -> None:
    bad = tmp_path / "survivorship.yaml"
    bad.write_text("version: x\nperson: {nama: {tiers: [[bps]]}}\nhousehold: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="person fields must be exactly"):
        load_survivorship(bad)
    assert load_survivorship().version
