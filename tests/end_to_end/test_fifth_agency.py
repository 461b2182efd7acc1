"""A fifth agency is one declaration: declared outside the package, its drop goes through ``sejahtera run``.

``fifth_agency/spec.py`` declares BPJS Kesehatan's member list (a ``SourceSpec`` with its person and household
fields) and ``fifth_agency/bpjs.*.json`` its expectation suites; ``SEJAHTERA_EXTRA_SOURCES`` names the module.
Nothing else in the project knows the agency. A landing zone with a Dukcapil full, a DTKS drop and a BPJS drop
(members of Dukcapil's families, two without an NIK, one with a sex code BPJS does not use, and a baby only
BPJS lists) runs in a fresh process; the test reads what it published. Without the declaration the landing
zone's ``bpjs/`` folder is an unknown source and every assertion on it fails.
"""

from __future__ import annotations

import csv
import io
import os
from collections import defaultdict
from pathlib import Path

import pytest
from support.agency_drops import Citizen, Zone, background

HERE = Path(__file__).parent

pytestmark = pytest.mark.slow

DROP_ID = "20261125"
HEADER_KELUARGA = ["id_keluarga_bpjs", "no_kk", "kode_wilayah", "alamat", "tgl_verifikasi"]
HEADER_PESERTA = ["id_peserta", "id_keluarga_bpjs", "nik", "nama_peserta", "jk", "tgl_lahir", "hubungan"]
SEX = {"L": "LK", "P": "PR"}
BABY = "BJ-BABY"
BAD_SEX = "BJ-BADSEX"


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter="|", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _families(citizens: list[Citizen]) -> list[list[Citizen]]:
    by_kk: dict[str, list[Citizen]] = defaultdict(list)
    for c in citizens:
        by_kk[c.no_kk].append(c)
    return [members for _, members in sorted(by_kk.items()) if len(members) >= 2]


class BpjsDrop:
    """The BPJS drop: 30 of Dukcapil's families as BPJS lists them, with the cases the test asserts on."""

    def __init__(self, citizens: list[Citizen]) -> None:
        self.keluarga: list[list[str]] = []
        self.peserta: list[list[str]] = []
        self.by_nik: dict[str, str] = {}
        """Dukcapil NIK -> the BPJS record id of the same person (every accepted member but the baby)."""
        self.head_of: dict[str, str] = {}
        """BPJS household record id -> the Dukcapil NIK of its head."""
        for f, members in enumerate(_families(citizens)[:30]):
            hid = f"BK{f:03d}"
            head = members[0]
            self.head_of[hid] = head.nik
            self.keluarga.append([hid, head.no_kk, head.village, head.alamat, "2026-11-01"])
            for m, person in enumerate(members):
                pid = f"BJ{f:03d}{m}"
                relation = "KEPALA" if m == 0 else "PASANGAN" if m == 1 else "ANAK"
                given_nik = "" if (f, m) in ((3, 1), (7, 0)) else person.nik  # two members without an NIK
                self.peserta.append([pid, hid, given_nik, person.nama, SEX[person.sex], person.dob, relation])
                self.by_nik[person.nik] = pid
        self.without_nik = [row[0] for row in self.peserta if row[2] == ""]
        first = self.keluarga[0][0]
        self.peserta.append([BABY, first, "", "PUTRI AYUNINGTYAS", "PR", "2026-10-02", "ANAK"])
        self.peserta.append([BAD_SEX, first, "", "RAHMAT HIDAYAT", "X", "1990-01-01", "LAIN"])

    def deliver(self, zone: Zone) -> None:
        zone.deliver(
            "bpjs",
            DROP_ID,
            "full",
            [
                ("keluarga.csv", "keluarga", _csv(HEADER_KELUARGA, self.keluarga), len(self.keluarga)),
                ("peserta.csv", "peserta", _csv(HEADER_PESERTA, self.peserta), len(self.peserta)),
            ],
        )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Zone, BpjsDrop]:
    zone = Zone(tmp_path_factory.mktemp("fifth-agency"))
    town = background(households=120, seed=11)
    zone.dukcapil_full("20261120", town.citizens)
    zone.dtks("20261115", town.dtks)
    drop = BpjsDrop(town.citizens)
    drop.deliver(zone)
    python_path = os.pathsep.join(p for p in (str(HERE), os.environ.get("PYTHONPATH", "")) if p)
    result = zone.sejahtera(
        "run", extra_env={"SEJAHTERA_EXTRA_SOURCES": "fifth_agency.spec", "PYTHONPATH": python_path}
    )
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
    return zone, drop


def test_the_drop_is_validated_and_its_bad_row_quarantined_with_its_rule(
    world: tuple[Zone, BpjsDrop],
) -> None:
    zone, drop = world
    ledger = zone.query(
        "SELECT status, rows_in, rows_loaded, rows_quarantined FROM ops.drop_ledger WHERE source = 'bpjs'"
    )
    rows = len(drop.keluarga) + len(drop.peserta)
    assert ledger == [("applied", rows, rows - 1, 1)]
    quarantined = zone.query(
        "SELECT file, source_record_id, rule FROM quality.quarantine WHERE source = 'bpjs' AND drop_id = ?",
        [DROP_ID],
    )
    assert quarantined == [("peserta.csv", BAD_SEX, "code_not_in_set")]
    assert zone.query("SELECT count(*) FROM snapshot.bpjs_peserta")[0][0] == len(drop.peserta) - 1


def test_its_persons_link_to_the_dukcapil_persons_they_are(world: tuple[Zone, BpjsDrop]) -> None:
    zone, drop = world
    links = dict(
        zone.query(
            "SELECT source_record_id, match_method FROM registry.source_link "
            "WHERE source = 'bpjs' AND entity = 'person' AND drop_id = ?",
            [DROP_ID],
        )
    )
    assert set(links) == {*drop.by_nik.values(), BABY}
    for person_nik, record_id in drop.by_nik.items():
        assert zone.person_of("bpjs", record_id) == zone.person_of("dukcapil", person_nik), record_id
    assert {links[r] for r in drop.by_nik.values() if r not in drop.without_nik} == {"nik_padan"}
    assert {links[r] for r in drop.without_nik} == {"splink"}
    assert links[BABY] == "single_record"


def test_its_households_link_to_the_families_they_are(world: tuple[Zone, BpjsDrop]) -> None:
    zone, drop = world
    for record_id, head_nik in drop.head_of.items():
        family = zone.person(zone.person_of("dukcapil", head_nik))["household_id"]
        assert zone.household_of("bpjs", record_id) == family, record_id


def test_a_person_only_it_knows_is_published_with_its_values(world: tuple[Zone, BpjsDrop]) -> None:
    """survivorship.yaml does not name BPJS: it still fills in what no other source offers (a documented default)."""
    zone, _ = world
    baby = zone.person(zone.person_of("bpjs", BABY))
    assert (baby["nama"], baby["jenis_kelamin"], str(baby["tanggal_lahir"])[:10]) == (
        "PUTRI AYUNINGTYAS",
        "P",
        "2026-10-02",
    )
    provenance = zone.query(
        "SELECT DISTINCT source FROM registry.field_provenance WHERE registry_id = ? AND field = 'nama'",
        [baby["person_id"]],
    )
    assert provenance == [("bpjs",)]
