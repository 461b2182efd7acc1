"""Who is who, judged by the contract (section 3): hand-made agency and Dukcapil drops, the real ``sejahtera run``.

Every case is a family written the way an agency delivers it (tests/support/agency_drops.py), inside a small
town that gives the linkage model something to learn from. The night after, DTKS delivers a new full in which
every record id changed (a new SIKS-NG export): nobody may change id, and the old records' links must go.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from support.agency_drops import (
    DISTRICT_2022_ONLY,
    VILLAGE,
    VILLAGE_2,
    VILLAGE_BALI,
    Citizen,
    Family,
    Member,
    Zone,
    background,
)
from support.identities import kk, nik

pytestmark = pytest.mark.slow

# Family A (in Dukcapil): the usual slips of a consistent identity, and a child listed under her mother's NIK.
A_HEAD, A_WIFE, A_SON = nik("1980-03-15", "L", 1), nik("1982-04-07", "P", 2), nik("2005-06-20", "L", 3)
# Family B (in Dukcapil): DTKS swapped the spouses' NIKs.
B_HUSBAND, B_WIFE = nik("1975-02-02", "L", 4), nik("1978-11-30", "P", 5)
# Family C: nobody is in Dukcapil; every clause of "malformed", and well-formed NIKs Dukcapil does not hold.
C_NIKS = {
    "DC-1": nik("1970-05-05", "L", 6),  # well-formed, not in Dukcapil (also in Regsosek)
    "DC-2": nik("1972-08-12", "P", 7)[:15],  # 15 digits
    "DC-3": None,  # blank
    "DC-4": "3201013002000008",  # 30 February: an impossible date is still well-formed
    "DC-5": nik("2001-03-03", "L", 9, DISTRICT_2022_ONLY),  # district only in the 2022 list: well-formed
    "DC-6": "0000000000000000",  # all zeros
    "DC-7": "3201010404030000",  # serial 0000
    "DC-8": "9999990505040011",  # district in neither list
    "DC-9": "3201013506050012",  # day 35
    "DC-10": "3201010613060013",  # month 13
}
C_STATUS = {
    "DC-1": "tidak_padan",
    "DC-2": "invalid",
    "DC-3": "missing",
    "DC-4": "tidak_padan",
    "DC-5": "tidak_padan",
    "DC-6": "invalid",
    "DC-7": "invalid",
    "DC-8": "invalid",
    "DC-9": "invalid",
    "DC-10": "invalid",
}
# D: an NIK with a 2022-only district prefix that Dukcapil holds.
D_PERSON = nik("1985-09-09", "L", 14, DISTRICT_2022_ONLY)
# E: twins (same birth date, same KK), listed without NIK by DTKS and with their NIKs swapped by Regsosek.
E_MOTHER, E_HASAN, E_HUSEIN = (
    nik("1960-01-01", "P", 15),
    nik("2012-07-07", "L", 16),
    nik("2012-07-07", "L", 17),
)
# F / G: common names in one village; G's people are not in Dukcapil.
F_RIZKI, F_SITI = nik("1990-03-04", "L", 18), nik("1985-05-05", "P", 19)
# H: titles, an abbreviated Muhammad, reordered tokens, an initial.
H_KHADIJAH, H_YUSUF = nik("1968-10-10", "P", 20), nik("1966-12-01", "L", 21)
H_HADI, H_AMINAH = nik("1992-02-14", "L", 22), nik("1994-07-21", "P", 23)


def _relisted(family: Family, record_id: str, niks: list[str | None]) -> Family:
    """The same family as a second agency lists it: the same names, dates and relations under that agency's own
    record ids (``RE-0`` for ``DE-0``), with the NIKs that agency wrote down, which is what each case varies."""
    members = [
        replace(member, record_id=f"{record_id}-{member.record_id.split('-', 1)[1]}", nik=written)
        for member, written in zip(family.members, niks, strict=True)
    ]
    return Family(record_id, family.no_kk, family.village, members)


def _cases(zone: Zone) -> None:
    town = background()
    c = town.citizens
    c += [
        Citizen(A_HEAD, "BUDI SANTOSO", "L", "1980-03-15", kk(1)),
        Citizen(A_WIFE, "SITI AMINAH", "P", "1982-04-07", kk(1)),
        Citizen(A_SON, "RIZKY PRATAMA", "L", "2005-06-20", kk(1)),
        Citizen(B_HUSBAND, "AHMAD FAUZI", "L", "1975-02-02", kk(2)),
        Citizen(B_WIFE, "DEWI LESTARI", "P", "1978-11-30", kk(2)),
        Citizen(D_PERSON, "YOHANES KAMBU", "L", "1985-09-09", kk(4, "517101"), VILLAGE_BALI),
        Citizen(E_MOTHER, "MARYAM", "P", "1960-01-01", kk(5)),
        Citizen(E_HASAN, "HASAN", "L", "2012-07-07", kk(5)),
        Citizen(E_HUSEIN, "HUSEIN", "L", "2012-07-07", kk(5)),
        Citizen(F_RIZKI, "MUHAMMAD RIZKI", "L", "1990-03-04", kk(6)),
        Citizen(F_SITI, "SITI", "P", "1985-05-05", kk(6)),
        Citizen(H_KHADIJAH, "SITI KHADIJAH", "P", "1968-10-10", kk(8)),
        Citizen(H_YUSUF, "MUHAMMAD YUSUF", "L", "1966-12-01", kk(8)),
        Citizen(H_HADI, "HADI KURNIAWAN", "L", "1992-02-14", kk(8)),
        Citizen(H_AMINAH, "SITI AMINAH", "P", "1994-07-21", kk(8)),
    ]
    twins_family = Family("DE", kk(5), VILLAGE, [
        Member("DE-0", E_MOTHER, "MARYAM", "P", "1960-01-01", 1),
        Member("DE-1", None, "HASAN", "L", "2012-07-07", 3),
        Member("DE-2", None, "HUSEIN", "L", "2012-07-07", 3),
    ])  # fmt: skip
    khadijah_family = Family("DH", kk(8), VILLAGE, [
        Member("DH-1", H_KHADIJAH, "HJ. SITI KHADIJAH, S.PD.I", "P", "1968-10-10", 2),
        Member("DH-2", H_YUSUF, "M. YUSUF", "L", "1966-12-01", 1),
        Member("DH-3", H_HADI, "KURNIAWAN HADI", "L", "1992-02-14", 3),
        Member("DH-4", H_AMINAH, "S. AMINAH", "P", "1994-07-21", 3),
    ])  # fmt: skip
    town.dtks += [
        Family("DA", kk(1), VILLAGE, [
            Member("DA-1", A_HEAD, "BUDI SANTOSO", "L", "1980-03-15", 1),
            Member("DA-2", A_WIFE, "SITTI AMINAH, S.PD", "P", "1982-07-04", 2),  # day and month swapped
            Member("DA-3", A_SON, "RIZKY PRATAMA", "L", "2006-06-20", 3),  # a year off
            Member("DA-4", A_WIFE, "NUR AINI", "P", "2010-01-09", 3),  # her mother's NIK; not in Dukcapil
        ]),
        Family("DB", kk(2), VILLAGE, [
            Member("DB-1", B_WIFE, "AHMAD FAUZI", "L", "1975-02-02", 1),
            Member("DB-2", B_HUSBAND, "DEWI LESTARI", "P", "1978-11-30", 2),
        ]),
        Family("DC", kk(3), VILLAGE_2, [
            Member(record, C_NIKS[record], nama, sex, dob, hub)
            for record, nama, sex, dob, hub in [
                ("DC-1", "JOKO WIDODO", "L", "1970-05-05", 1), ("DC-2", "SRI RAHAYU", "P", "1972-08-12", 2),
                ("DC-3", "ANDI", "L", "2000-01-01", 3), ("DC-4", "BAYU", "L", "2000-02-28", 3),
                ("DC-5", "YOSEF", "L", "2001-03-03", 3), ("DC-6", "EKO", "L", "2002-04-04", 3),
                ("DC-7", "EKA", "P", "2003-04-04", 3), ("DC-8", "DIMAS", "L", "2004-05-05", 3),
                ("DC-9", "FAJAR", "L", "2005-06-05", 3), ("DC-10", "GILANG", "L", "2006-06-06", 3),
            ]
        ]),
        Family("DD", kk(4, "517101"), VILLAGE_BALI, [Member("DD-1", D_PERSON, "YOHANES KAMBU", "L", "1985-09-09")]),
        twins_family,
        Family("DG", kk(7), VILLAGE, [
            Member("DG-1", None, "MUHAMMAD RIZAL", "L", "1990-04-03", 1),
            Member("DG-2", None, "SITI", "P", "1985-09-17", 2),
        ]),
        Family("DZ", kk(9), VILLAGE_2, [], flags={"pkh": "Y"}),  # its members were all quarantined, say
        khadijah_family,
    ]  # fmt: skip
    town.regsosek += [
        Family("RC", kk(3), VILLAGE_2, [
            Member("RC-1", C_NIKS["DC-1"], "JOKO WIDODO", "L", "1970-05-05", 1),
            Member("RC-2", None, "SRI RAHAYU", "P", "1972-08-12", 2),
        ]),
        _relisted(twins_family, "RE", [E_MOTHER, E_HUSEIN, E_HASAN]),  # the twins' NIKs swapped
        _relisted(khadijah_family, "RH", [None] * 4),  # no NIKs: names and dates only
    ]  # fmt: skip
    zone.dukcapil_full("20261101", town.citizens)
    zone.dtks("20261102", town.dtks)
    zone.regsosek("20260901", town.regsosek)
    zone.p3ke("20261001", town.p3ke)


def _rekey_dtks(zone: Zone, old: str, new: str) -> None:
    """DTKS's next full: the same rows, every ID_KELUARGA and ID_ART prefixed with ``N``."""
    folder = zone.landing / "dtks" / old
    keluarga = pd.read_csv(folder / "keluarga.csv", sep=";", dtype=str, keep_default_na=False)
    anggota = pd.read_csv(folder / "anggota.csv", sep=";", dtype=str, keep_default_na=False)
    keluarga["ID_KELUARGA"] = "N" + keluarga["ID_KELUARGA"]
    anggota["ID_KELUARGA"] = "N" + anggota["ID_KELUARGA"]
    anggota["ID_ART"] = "N" + anggota["ID_ART"]

    def content(frame: pd.DataFrame) -> bytes:
        return frame.to_csv(sep=";", index=False, lineterminator="\n").encode("utf-8")

    zone.deliver(
        "dtks",
        new,
        "full",
        [
            ("keluarga.csv", "keluarga", content(keluarga), len(keluarga)),
            ("anggota.csv", "anggota", content(anggota), len(anggota)),
        ],
    )


PERSON_IDS = (
    "SELECT l.source, l.source_record_id, p.person_id, p.household_id FROM registry.source_link AS l "
    "JOIN registry.person AS p ON p.person_id = l.registry_id WHERE l.entity = 'person'"
)


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Zone:
    zone = Zone(tmp_path_factory.mktemp("identity"))
    _cases(zone)
    zone.run()
    return zone


@pytest.fixture(scope="module")
def rekeyed(zone: Zone) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The registry's person ids before and after a DTKS full that re-keys every record (run once, after the
    night-one tests have read what they need)."""
    before = zone.frame(PERSON_IDS)
    _rekey_dtks(zone, "20261102", "20261202")
    zone.run()
    return before, zone.frame(PERSON_IDS)


def _status(zone: Zone, source: str, record: str) -> str:
    return zone.person(zone.person_of(source, record))["nik_status"]


@pytest.mark.parametrize("record", ["DA-1", "DA-2", "DA-3", "DD-1", "DH-1", "DH-2", "DH-3", "DH-4"])
def test_a_consistent_identity_under_the_nik_dukcapil_holds_is_padan(zone: Zone, record: str) -> None:
    person = zone.person_of("dtks", record)
    dukcapil = zone.frame(
        "SELECT source_record_id FROM registry.source_link WHERE source = 'dukcapil' AND registry_id = ?",
        [person],
    )
    assert len(dukcapil) == 1
    assert zone.person(person)["nik_status"] == "padan"
    assert zone.person(person)["nik"] == dukcapil.iloc[0, 0]


def test_survivorship_takes_dukcapil_s_identity(zone: Zone) -> None:
    wife = zone.person(zone.person_of("dtks", "DA-2"))
    assert (wife["nama"], str(wife["tanggal_lahir"].date()), wife["jenis_kelamin"]) == (
        "SITI AMINAH",
        "1982-04-07",
        "P",
    )


@pytest.mark.parametrize(("record", "status"), sorted(C_STATUS.items()))
def test_nik_status_of_people_dukcapil_does_not_hold(zone: Zone, record: str, status: str) -> None:
    assert _status(zone, "dtks", record) == status


def test_a_child_under_her_mother_s_nik_is_her_own_person_and_not_padan(zone: Zone) -> None:
    child = zone.person_of("dtks", "DA-4")
    assert child != zone.person_of("dukcapil", A_WIFE)
    assert zone.person(child)["nik_status"] == "tidak_padan"
    assert (
        zone.person(child)["household_id"] == zone.person(zone.person_of("dukcapil", A_WIFE))["household_id"]
    )


def test_swapped_niks_of_a_couple_link_each_to_their_own_record(zone: Zone) -> None:
    assert zone.person_of("dtks", "DB-1") == zone.person_of("dukcapil", B_HUSBAND)
    assert zone.person_of("dtks", "DB-2") == zone.person_of("dukcapil", B_WIFE)


def test_twins_stay_two_people_whatever_their_niks_say(zone: Zone) -> None:
    hasan, husein = zone.person_of("dukcapil", E_HASAN), zone.person_of("dukcapil", E_HUSEIN)
    assert zone.person_of("dtks", "DE-1") == hasan and zone.person_of("dtks", "DE-2") == husein
    assert zone.person_of("regsosek", "RE-1") == hasan and zone.person_of("regsosek", "RE-2") == husein


def test_common_names_in_one_village_are_not_merged(zone: Zone) -> None:
    rizal, siti = zone.person_of("dtks", "DG-1"), zone.person_of("dtks", "DG-2")
    assert rizal != zone.person_of("dukcapil", F_RIZKI) and siti != zone.person_of("dukcapil", F_SITI)
    assert (_status(zone, "dtks", "DG-1"), _status(zone, "dtks", "DG-2")) == ("missing", "missing")


def test_one_person_across_agencies_without_dukcapil(zone: Zone) -> None:
    assert zone.person_of("dtks", "DC-1") == zone.person_of("regsosek", "RC-1")
    assert zone.person_of("dtks", "DC-2") == zone.person_of("regsosek", "RC-2")
    for record in ("RH-1", "RH-2", "RH-3", "RH-4"):
        assert zone.person_of("regsosek", record) == zone.person_of("dtks", "DH" + record[2:])


def test_every_current_record_is_linked_once_with_a_method_and_a_probability(zone: Zone) -> None:
    links = zone.frame("SELECT * FROM registry.source_link")
    assert not links.duplicated(["source", "entity", "source_record_id"]).any()
    assert links["registry_id"].notna().all()
    assert links["match_method"].notna().all()
    assert links["match_probability"].between(0, 1).all()
    expected = zone.query(
        """
        SELECT (SELECT count(*) FROM snapshot.dtks_anggota) + (SELECT count(*) FROM snapshot.regsosek_individu)
             + (SELECT count(*) FROM snapshot.p3ke_individu) + (SELECT count(DISTINCT nik) FROM snapshot.dukcapil_penduduk),
               (SELECT count(*) FROM snapshot.dtks_keluarga) + (SELECT count(*) FROM snapshot.regsosek_rumah_tangga)
             + (SELECT count(*) FROM snapshot.p3ke_keluarga)
        """
    )[0]
    assert (links["entity"] == "person").sum() == expected[0]
    assert (links["entity"] == "household").sum() == expected[1]
    persons = set(zone.frame("SELECT person_id FROM registry.person")["person_id"])
    households = set(zone.frame("SELECT household_id FROM registry.household")["household_id"])
    assert set(links.loc[links["entity"] == "person", "registry_id"]) == persons
    assert set(links.loc[links["entity"] == "household", "registry_id"]) <= households
    dukcapil = links[links["source"] == "dukcapil"]
    assert dukcapil["registry_id"].is_unique  # one Dukcapil record (NIK) per person


def test_a_household_record_without_members_is_a_household_ranked_and_eligible_for_nothing(
    zone: Zone,
) -> None:
    household = zone.household(zone.household_of("dtks", "DZ"))
    assert (household["no_kk"], household["kode_wilayah"], household["jumlah_anggota"]) == (
        kk(9),
        VILLAGE_2,
        0,
    )
    assert pd.isna(household["desil_nasional"])
    assert not (household["eligible_pkh"] or household["eligible_bpnt"] or household["eligible_pbi"])


def test_ids_survive_a_dtks_full_that_rekeys_every_record(rekeyed: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    before, after = rekeyed
    before = before.assign(
        source_record_id=before["source_record_id"].where(
            before["source"] != "dtks", "N" + before["source_record_id"]
        )
    )
    joined = before.merge(
        after, on=["source", "source_record_id"], how="outer", suffixes=("_before", "_after")
    )
    assert joined["person_id_before"].notna().all() and joined["person_id_after"].notna().all()
    changed = joined[
        (joined["person_id_before"] != joined["person_id_after"])
        | (joined["household_id_before"] != joined["household_id_after"])
    ]
    assert changed.empty, changed.to_string()


def test_after_a_new_dtks_full_only_its_records_are_linked(zone: Zone, rekeyed) -> None:
    dtks = zone.frame("SELECT drop_id, source_record_id FROM registry.source_link WHERE source = 'dtks'")
    assert set(dtks["drop_id"]) == {"20261202"}
    assert dtks["source_record_id"].str.startswith("N").all()


def test_no_personal_data_in_what_the_runs_printed(zone: Zone, rekeyed) -> None:
    printed = "\n".join(zone.outputs)
    for value in (A_HEAD, A_WIFE, B_WIFE, C_NIKS["DC-1"], kk(1), "BUDI SANTOSO", "NUR AINI", "YOHANES"):
        assert value not in printed


def test_a_rerun_without_new_drops_changes_no_byte(zone: Zone, rekeyed) -> None:
    before = zone.warehouse.read_bytes()
    zone.run()
    assert zone.warehouse.read_bytes() == before
