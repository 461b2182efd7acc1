"""Dukcapil's events night after night, judged by the contract (sections 2 and 3), through ``sejahtera run``.

Night 1: Dukcapil's full, DTKS, Regsosek, P3KE. Night 2: a delta with a correction, a move out of the family (a
split), a death, two births and same-day corrections. Night 3: a delta under an OLDER drop id, delivered late.
Night 4: a new full, and the whole family of the last household moves. Night 5: a delta older than that full,
delivered after it. Each night's published registry is kept for the tests.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from support.agency_drops import (
    POOR_SURVEY,
    VILLAGE,
    VILLAGE_2,
    VILLAGE_JATENG,
    Citizen,
    Family,
    Member,
    Zone,
    background,
    event,
)
from support.identities import kk, nik

pytestmark = pytest.mark.slow

FAMILY_KK, NEW_KK, MOVED_KK = kk(1), kk(60), kk(61)
PEOPLE = {  # key: (nik, name, sex, birth date)
    "head": (nik("1980-01-10", "L", 1), "BUDI SANTOSO", "L", "1980-01-10"),
    "wife": (nik("1982-02-11", "P", 2), "SITI AMINAH", "P", "1982-02-11"),
    "grandpa": (nik("1950-03-12", "L", 3), "SLAMET RIYADI", "L", "1950-03-12"),
    "son": (nik("2001-04-13", "L", 4), "RIZKY PRATAMA", "L", "2001-04-13"),
    "daughter": (nik("2003-05-14", "P", 5), "DEWI SARTIKA", "P", "2003-05-14"),
    "boy": (nik("2005-06-15", "L", 6), "ANDI WIJAYA", "L", "2005-06-15"),
    "girl": (nik("2007-07-16", "P", 7), "PUTRI AYU", "P", "2007-07-16"),
}
WIDOW = (
    nik("1940-09-09", "P", 8),
    "MBOK SARINAH",
    "P",
    "1940-09-09",
)  # lives alone: her death empties a household
MOVERS = {  # a family of two that moves to Central Java on night 4
    "mover": (nik("1970-10-10", "L", 9), "HERU PRASETYO", "L", "1970-10-10"),
    "mover_wife": (nik("1972-11-11", "P", 10), "YULI ASTUTI", "P", "1972-11-11"),
}
BABY = nik("2026-11-04", "P", 50)
N = {key: person[0] for key, person in {**PEOPLE, **MOVERS}.items()}


def _citizens(names: dict[str, str] | None = None) -> list[Citizen]:
    names = names or {}
    return [
        *(Citizen(n, names.get(k, nama), s, d, FAMILY_KK) for k, (n, nama, s, d) in PEOPLE.items()),
        Citizen(WIDOW[0], WIDOW[1], "P", WIDOW[3], kk(2)),
        *(Citizen(n, nama, s, d, kk(3), VILLAGE_2) for n, nama, s, d in MOVERS.values()),
    ]


def _night_one(zone: Zone) -> None:
    town = background()
    town.citizens += _citizens()
    town.dtks.append(
        Family("DA", FAMILY_KK, VILLAGE, [Member(f"DA-{i}", n, nm, s, d, min(i, 3))
                                           for i, (n, nm, s, d) in enumerate(PEOPLE.values(), start=1)],
               flags={"pkh": "Y"})
    )  # fmt: skip
    town.regsosek += [
        Family("RW", kk(2), VILLAGE, [Member("RW-1", WIDOW[0], WIDOW[1], "P", WIDOW[3], 1)], survey=POOR_SURVEY),
        Family("RM", kk(3), VILLAGE_2, [Member(f"RM-{i}", n, nm, s, d, i)
                                        for i, (n, nm, s, d) in enumerate(MOVERS.values(), start=1)]),
    ]  # fmt: skip
    zone.dukcapil_full("20261101", town.citizens)
    zone.dtks("20261102", town.dtks)
    zone.regsosek("20260901", town.regsosek)
    zone.p3ke("20261001", town.p3ke)


NIGHTS = {
    2: lambda zone: zone.dukcapil_delta(
        "20261105",
        [
            event("E1", "UBAH_DATA", "2026-11-04", N["head"], nama_lengkap="BUDI SANTOSA"),
            event(
                "E2",
                "PINDAH",
                "2026-11-03",
                N["son"],
                no_kk=NEW_KK,
                kode_wilayah=VILLAGE_2,
                alamat="JL BARU 2",
            ),
            event("E3", "MATI", "2026-11-02", N["grandpa"]),
            event(
                "E4",
                "LAHIR",
                "2026-11-04",
                BABY,
                no_kk=FAMILY_KK,
                nama_lengkap="AISYAH",
                jenis_kelamin="P",
                tempat_lahir="BOGOR",
                tanggal_lahir="2026-11-04",
                kode_wilayah=VILLAGE,
                alamat="JL MAWAR 1",
            ),
            event("E5", "UBAH_DATA", "2026-11-05", N["daughter"], nama_lengkap="DEWI SARTIKA PUTRI"),
            event("E6", "UBAH_DATA", "2026-11-05", N["daughter"], nama_lengkap="DEWI SARTIKA"),
            event("E7", "UBAH_DATA", "2026-11-05", N["boy"], nama_lengkap="ANDI WIJAYA KUSUMA"),
            event("E8", "MATI", "2026-11-05", WIDOW[0]),
        ],
    ),
    3: lambda zone: zone.dukcapil_delta(
        "20261103",
        [
            event("L1", "UBAH_DATA", "2026-11-02", N["head"], nama_lengkap="BUDY SANTOSO"),
            event("L2", "PINDAH", "2026-11-06", N["son"], kode_wilayah=VILLAGE_JATENG, alamat="JL SOLO 3"),
            event("L3", "UBAH_DATA", "2026-11-05", N["boy"], nama_lengkap="ANDI W"),
            event("L4", "UBAH_DATA", "2026-11-02", N["girl"], tanggal_lahir="2007-07-17"),
        ],
    ),
    4: lambda zone: (
        zone.dukcapil_full("20261110", _night_four_citizens()),
        zone.dukcapil_delta(
            "20261111",
            [
                event("M1", "PINDAH", "2026-11-11", N["mover"], no_kk=MOVED_KK, kode_wilayah=VILLAGE_JATENG),
                event(
                    "M2", "PINDAH", "2026-11-11", N["mover_wife"], no_kk=MOVED_KK, kode_wilayah=VILLAGE_JATENG
                ),
            ],
        ),
    ),
    5: lambda zone: zone.dukcapil_delta(
        "20261104", [event("X1", "UBAH_DATA", "2026-11-03", N["wife"], nama_lengkap="SITI AMINA")]
    ),
}


def _night_four_citizens() -> list[Citizen]:
    """Dukcapil's state on 10 November: every event so far, and the wife's name corrected on the 8th."""
    town = background()
    citizens = {
        c.nik: c for c in town.citizens + _citizens({"head": "BUDI SANTOSA", "wife": "SITI AMINAH ZAHRA"})
    }
    citizens[N["son"]].no_kk, citizens[N["son"]].village = NEW_KK, VILLAGE_JATENG
    citizens[N["grandpa"]].status_hidup, citizens[N["grandpa"]].tanggal_meninggal = "MATI", "2026-11-02"
    citizens[WIDOW[0]].status_hidup, citizens[WIDOW[0]].tanggal_meninggal = "MATI", "2026-11-05"
    citizens[N["girl"]].dob = "2007-07-17"
    citizens[BABY] = Citizen(BABY, "AISYAH", "P", "2026-11-04", FAMILY_KK)
    return list(citizens.values())


PERSONS = (
    "SELECT l.source_record_id AS nik, l.drop_id, p.* EXCLUDE (nik) FROM registry.source_link AS l "
    "JOIN registry.person AS p ON p.person_id = l.registry_id WHERE l.source = 'dukcapil'"
)


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict[str, pd.DataFrame]]:
    """Each night's published persons (by NIK) and households."""
    zone = Zone(tmp_path_factory.mktemp("dukcapil"))
    _night_one(zone)
    published = {}
    for night in range(1, 6):
        if night > 1:
            NIGHTS[night](zone)
        zone.run()
        published[night] = {
            "persons": zone.frame(PERSONS).set_index("nik"),
            "households": zone.frame("SELECT * FROM registry.household").set_index("household_id"),
            "ledger": zone.frame("SELECT * FROM ops.drop_ledger"),
        }
    return published


def _person(nights, night: int, key: str) -> pd.Series:
    return nights[night]["persons"].loc[N.get(key, key)]


def test_every_delta_is_applied_even_a_late_one(nights) -> None:
    ledger = nights[5]["ledger"]
    assert set(ledger.loc[ledger["source"] == "dukcapil", "status"]) == {"applied"}
    assert len(ledger[ledger["source"] == "dukcapil"]) == 6


def test_a_correction_changes_the_name_and_names_its_drop(nights) -> None:
    head = _person(nights, 2, "head")
    assert (head["nama"], head["drop_id"]) == ("BUDI SANTOSA", "20261105")
    assert _person(nights, 2, "wife")["drop_id"] == "20261101"  # nothing changed her


def test_a_late_delta_applies_but_never_overrides_a_change_dated_later(nights) -> None:
    head = _person(nights, 3, "head")
    assert (head["nama"], head["drop_id"]) == ("BUDI SANTOSA", "20261105")  # 2 Nov is before 4 Nov
    son = _person(nights, 3, "son")  # moved on 3 Nov (night 2), again on 6 Nov (the late drop)
    assert (son["kode_wilayah"], son["drop_id"]) == (VILLAGE_JATENG, "20261103")
    assert son["nama"] == "RIZKY PRATAMA"
    girl = _person(nights, 3, "girl")
    assert (girl["tanggal_lahir"].date(), girl["drop_id"]) == (date(2007, 7, 17), "20261103")
    # DTKS still lists her born on the 16th, under her NIK: still her, not a second girl in the family.
    assert nights[3]["households"].loc[girl["household_id"], "jumlah_anggota"] == 6


def test_same_day_events_apply_in_drop_then_row_order(nights) -> None:
    assert _person(nights, 2, "daughter")["nama"] == "DEWI SARTIKA"  # row 6 after row 5
    # 5 Nov in drop 20261105 comes after 5 Nov in drop 20261103, though that one was delivered later.
    assert _person(nights, 3, "boy")["nama"] == "ANDI WIJAYA KUSUMA"


def test_a_death_keeps_the_person_out_of_the_count(nights) -> None:
    grandpa = _person(nights, 2, "grandpa")
    assert (grandpa["status_hidup"], grandpa["tanggal_meninggal"].date()) == ("MATI", date(2026, 11, 2))
    family = nights[2]["households"].loc[grandpa["household_id"]]
    living = nights[2]["persons"].query("household_id == @grandpa.household_id and status_hidup == 'HIDUP'")
    assert family["jumlah_anggota"] == len(living) == 6  # 7 - grandpa - son + baby


def test_a_birth_joins_the_family_of_its_kk(nights) -> None:
    baby = _person(nights, 2, BABY)
    assert (baby["nama"], baby["jenis_kelamin"], baby["status_hidup"]) == ("AISYAH", "P", "HIDUP")
    assert baby["household_id"] == _person(nights, 2, "head")["household_id"]
    assert baby["nik_status"] == "padan"


def test_a_member_who_moves_to_a_new_kk_splits_off_and_the_family_keeps_its_id(nights) -> None:
    family = _person(nights, 1, "head")["household_id"]
    assert _person(nights, 2, "head")["household_id"] == family
    son = _person(nights, 3, "son")
    assert son["household_id"] != family
    household = nights[3]["households"].loc[son["household_id"]]
    assert (household["no_kk"], household["kode_wilayah"], household["kode_provinsi"]) == (
        NEW_KK,
        VILLAGE_JATENG,
        "33",
    )
    assert household["jumlah_anggota"] == 1


def test_a_household_whose_last_member_died_is_ranked_and_eligible_for_nothing(nights) -> None:
    widow = _person(nights, 2, WIDOW[0])
    household = nights[2]["households"].loc[widow["household_id"]]
    assert household["jumlah_anggota"] == 0
    assert pd.isna(household["desil_nasional"]) and pd.isna(household["desil_provinsi"])
    assert not (household["eligible_pkh"] or household["eligible_bpnt"] or household["eligible_pbi"])
    assert nights[1]["households"].loc[widow["household_id"], "eligible_pkh"]  # poor and alive on night 1


def test_a_family_that_moves_keeps_its_household_id_and_follows_to_its_new_province(nights) -> None:
    before, after = _person(nights, 3, "mover"), _person(nights, 4, "mover")
    assert after["household_id"] == before["household_id"]
    assert _person(nights, 4, "mover_wife")["household_id"] == before["household_id"]
    household = nights[4]["households"].loc[after["household_id"]]
    assert (household["no_kk"], household["kode_wilayah"], household["kode_provinsi"]) == (
        MOVED_KK,
        VILLAGE_JATENG,
        "33",
    )


def test_after_a_new_full_a_person_s_drop_is_the_full_unless_a_later_delta_changed_them(nights) -> None:
    assert _person(nights, 4, "head")["drop_id"] == "20261110"
    assert _person(nights, 4, "mover")["drop_id"] == "20261111"
    assert _person(nights, 4, "wife")["nama"] == "SITI AMINAH ZAHRA"


def test_a_delta_older_than_the_full_delivered_after_it_does_not_roll_it_back(nights) -> None:
    wife = _person(nights, 5, "wife")
    assert (wife["nama"], wife["drop_id"]) == ("SITI AMINAH ZAHRA", "20261110")


def test_person_and_household_ids_hold_across_all_nights(nights) -> None:
    first = nights[1]["persons"]["person_id"]
    for night in range(2, 6):
        later = nights[night]["persons"]["person_id"]
        common = first.index.intersection(later.index)
        assert (later.loc[common] == first.loc[common]).all(), night


def test_every_night_ranks_living_households_in_equal_tenths_and_flags_by_the_national_decile(nights) -> None:
    for night, published in nights.items():
        households = published["households"]
        ranked = households[households["jumlah_anggota"] > 0]
        assert ranked["desil_nasional"].notna().all(), night
        sizes = ranked["desil_nasional"].value_counts()
        assert sizes.max() - sizes.min() <= 1 and len(sizes) == 10, night
        for _, province in ranked.groupby("kode_provinsi"):
            sizes = province["desil_provinsi"].value_counts()
            assert sizes.max() - sizes.min() <= 1, night
        by_decile = ranked.groupby("desil_nasional")["welfare_score"]
        assert (by_decile.max().iloc[:-1].to_numpy() <= by_decile.min().iloc[1:].to_numpy()).all(), night
        decile = households["desil_nasional"]
        assert (households["eligible_pkh"] == decile.between(1, 4)).all(), night
        assert (households["eligible_bpnt"] == decile.between(1, 5)).all(), night
        assert (households["eligible_pbi"] == decile.between(1, 5)).all(), night
        assert (households["kode_provinsi"] == households["kode_wilayah"].str[:2]).all(), night
