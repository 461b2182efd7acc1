"""A small hand-made world of families, written as the work tables the upstream stages hand to the registry.

The validate and reconcile stages write ``work.ledger``, ``work.quarantine``, ``work.drop_report``, the eight
``work.snapshot_*`` tables, ``work.dukcapil_person``, ``work.person_record``, ``work.household_record``,
``work.person_resolved`` and ``work.source_link`` (docs/architecture.md). Tests of the registry stage build those
tables from a :class:`World` so that each test states its case in a few lines (a family, who died, who moved)
and can change the world and run again, as the next night's drops would.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from assets.registry.eligibility import build_eligibility
from assets.registry.publish import PublishOutcome
from assets.registry.survivorship import build_survivors
from assets.registry.targeting import build_targeting_errors
from assets.registry.welfare import build_welfare
from sejahtera import warehouse
from sejahtera.sources import SOURCES
from support import identities
from support.surveys import MIDDLE_SURVEY

DROPS = {"dukcapil": "20261120", "regsosek": "20260915", "dtks": "20261115", "p3ke": "20261001"}
FILES = {
    ("dukcapil", "person"): "penduduk.parquet",
    ("regsosek", "household"): "rumah_tangga.parquet",
    ("regsosek", "person"): "individu.parquet",
    ("dtks", "household"): "keluarga.csv",
    ("dtks", "person"): "anggota.csv",
    ("p3ke", "household"): "keluarga.csv.gz",
    ("p3ke", "person"): "individu.csv.gz",
}
OBSERVED = {
    "dukcapil": date(2026, 11, 20),
    "regsosek": date(2026, 9, 15),
    "dtks": date(2026, 11, 15),
    "p3ke": date(2026, 10, 1),
}
POOR_SURVEY = MIDDLE_SURVEY | {
    "luas_lantai_m2": 20.0,
    "jenis_lantai": 8,
    "jenis_dinding": 6,
    "jenis_atap": 7,
    "sumber_air_minum": 9,
    "fasilitas_bab": 4,
    "sumber_penerangan": 4,
    "bahan_bakar_memasak": 7,
    "daya_listrik_va": 0,
    "aset_motor": False,
    "aset_tv": False,
}
RICH_SURVEY = MIDDLE_SURVEY | {
    "luas_lantai_m2": 180.0,
    "jenis_lantai": 1,
    "jenis_dinding": 1,
    "jenis_atap": 1,
    "sumber_air_minum": 1,
    "fasilitas_bab": 1,
    "sumber_penerangan": 1,
    "bahan_bakar_memasak": 1,
    "daya_listrik_va": 5500,
    "aset_mobil": True,
    "aset_kulkas": True,
    "aset_ac": True,
    "aset_emas": True,
    "aset_lahan_m2": 2000.0,
}


@dataclass
class Person:
    person_id: str
    nik: str | None
    nama: str
    jenis_kelamin: str
    tanggal_lahir: date
    hubungan: int = 3
    alive: bool = True
    died: date | None = None
    in_dukcapil: bool = True
    nik_status: str = "padan"
    kode_wilayah: str | None = None
    no_kk: str | None = None
    pendidikan: int = 3
    bekerja: bool = True
    household: Household | None = None
    listed_in: Household | None = None
    """The household the agencies (DTKS, Regsosek, P3KE) still list the person in; None = the current one."""
    dukcapil_drop: str | None = None


@dataclass
class Household:
    household_id: str
    kode_wilayah: str
    no_kk: str
    survey: dict | None = None
    dtks: dict | None = None
    p3ke: dict | None = None
    members: list[Person] = field(default_factory=list)
    world: World | None = None

    def person(self, nama: str, born: date, sex: str = "L", **kwargs: object) -> Person:
        assert self.world is not None
        return self.world.add_person(self, nama, born, sex, **kwargs)

    def record_id(self, source: str) -> str:
        return f"{source.upper()}-{self.household_id}"


class World:
    """Families and people, with the agencies that list them."""

    def __init__(self) -> None:
        self.households: list[Household] = []
        self.persons: list[Person] = []
        self._household_ids = itertools.count(1)
        self._person_ids = itertools.count(1)
        self._serial = itertools.count(1)
        self._deliveries = itertools.count(0)

    def household(
        self,
        kode_wilayah: str = "3201012001",
        survey: dict | None = None,
        dtks: dict | None = None,
        p3ke: dict | None = None,
        no_kk: str | None = None,
    ) -> Household:
        number = next(self._household_ids)
        household = Household(
            household_id=f"H{number:09d}",
            kode_wilayah=kode_wilayah,
            no_kk=no_kk or f"{kode_wilayah[:6]}{number:06d}0001",
            survey=survey,
            dtks=dtks,
            p3ke=p3ke,
            world=self,
        )
        self.households.append(household)
        return household

    def add_person(self, household: Household, nama: str, born: date, sex: str, **kwargs: object) -> Person:
        number = next(self._person_ids)
        serial = next(self._serial)
        nik = kwargs.pop("nik", identities.nik(born, sex, serial, household.kode_wilayah[:6]))
        person = Person(
            person_id=f"P{number:09d}", nik=nik, nama=nama, jenis_kelamin=sex, tanggal_lahir=born, **kwargs
        )
        person.household = household
        household.members.append(person)
        self.persons.append(person)
        return person

    def move_person(self, person: Person, to: Household, *, agencies_follow: bool = False) -> None:
        """Dukcapil now has the person in ``to``; the agencies keep listing them where they were unless told."""
        assert person.household is not None
        if not agencies_follow and person.listed_in is None:
            person.listed_in = person.household
        if agencies_follow:
            person.listed_in = None
        person.household.members.remove(person)
        to.members.append(person)
        person.household = to

    # --- writing the work tables ---------------------------------------------------------------------------

    def write(self, con: duckdb.DuckDBPyConnection, run_id: str, *, applied: bool = True) -> None:
        """Start ``run_id``'s work area and fill every table the registry stage reads."""
        warehouse.reset_work(con, run_id)
        _create_tables(con)
        self._write_bookkeeping(con, run_id, applied)
        if applied:
            self._write_records(con)

    def _write_bookkeeping(self, con: duckdb.DuckDBPyConnection, run_id: str, applied: bool) -> None:
        # Each run is a new delivery: the publish refuses a drop id the ledger has applied already.
        delivery = next(self._deliveries)
        for source, first_drop_id in DROPS.items():
            drop_id = first_drop_id if delivery == 0 else f"{first_drop_id}T{delivery:02d}"
            con.execute(
                "INSERT INTO work.ledger VALUES (?, ?, 'full', ?, ?, 10, ?, ?, now(), 'ab', 1, ?)",
                [
                    source,
                    drop_id,
                    "applied" if applied else "rejected",
                    None if applied else "more than 20 % of rows failed row rules",
                    10 if applied else 0,
                    0 if applied else 10,
                    run_id,
                ],
            )
        con.execute(
            "INSERT INTO work.quarantine VALUES ('dtks', ?, 'anggota.csv', 7, 'ART-X', 'invalid_date', "
            "'TGL_LAHIR: day 31 of month 02 does not exist', ?)",
            [DROPS["dtks"], run_id],
        )
        con.execute(
            "INSERT INTO work.drop_report VALUES ('dtks', ?, 'invalid_date', '32', 1, ?)",
            [DROPS["dtks"], run_id],
        )

    def _write_records(self, con: duckdb.DuckDBPyConnection) -> None:
        rows = {key: itertools.count(1) for key in FILES}
        for person in self.persons:
            household = person.household
            assert household is not None
            kode_wilayah = person.kode_wilayah or household.kode_wilayah
            no_kk = person.no_kk or household.no_kk
            con.execute(
                "INSERT INTO work.person_resolved VALUES (?, ?, ?, ?)",
                [person.person_id, household.household_id, person.nik, person.nik_status],
            )
            if person.in_dukcapil:
                drop = person.dukcapil_drop or DROPS["dukcapil"]
                file = FILES[("dukcapil", "person")] if drop == DROPS["dukcapil"] else "peristiwa.csv"
                row = next(rows[("dukcapil", "person")])
                status = "HIDUP" if person.alive else "MATI"
                con.execute(
                    "INSERT INTO work.dukcapil_person VALUES (?, ?, ?, ?, 'BANDUNG', ?, ?, 'JL. MAWAR', ?, ?, ?, ?, ?)",
                    [
                        person.nik,
                        no_kk,
                        person.nama,
                        person.jenis_kelamin,
                        person.tanggal_lahir,
                        kode_wilayah,
                        status,
                        person.died,
                        drop,
                        file,
                        row,
                    ],
                )
                self._person_record(
                    con,
                    person,
                    ["dukcapil", drop, file, row],
                    person.nik,
                    no_kk,
                    no_kk,
                    kode_wilayah,
                    status,
                    observed=date(int(drop[:4]), int(drop[4:6]), int(drop[6:8])),
                )
                self._link(con, "dukcapil", drop, "person", person.nik, person.person_id)
            listed = person.listed_in or household
            for source in ("regsosek", "dtks", "p3ke"):
                if getattr(listed, source if source != "regsosek" else "survey") is None:
                    continue
                record = f"{source.upper()}-{person.person_id}"
                row = next(rows[(source, "person")])
                self._person_record(
                    con,
                    person,
                    [source, DROPS[source], FILES[(source, "person")], row],
                    record,
                    listed.record_id(source),
                    listed.no_kk,
                    listed.kode_wilayah,
                    None,
                    observed=OBSERVED[source],
                )
                self._link(con, source, DROPS[source], "person", record, person.person_id)
                self._snapshot_person(con, source, person, record, row, listed)
        for household in self.households:
            for source, values in (
                ("regsosek", household.survey),
                ("dtks", household.dtks),
                ("p3ke", household.p3ke),
            ):
                if values is None:
                    continue
                row = next(rows[(source, "household")])
                record = household.record_id(source)
                con.execute(
                    "INSERT INTO work.household_record VALUES (?, ?, ?, ?, ?, ?, ?, 'JL. MAWAR', ?, ?, 'member_majority', 1.0)",
                    [
                        source,
                        DROPS[source],
                        FILES[(source, "household")],
                        row,
                        record,
                        household.no_kk,
                        household.kode_wilayah,
                        OBSERVED[source],
                        household.household_id,
                    ],
                )
                self._link(con, source, DROPS[source], "household", record, household.household_id)
                self._snapshot_household(con, source, household, record, row, values)

    def _person_record(
        self, con, person, lineage: list, record, source_household, no_kk, kode_wilayah, status, observed
    ) -> None:
        """One row of ``work.person_record``; ``lineage`` is (source, drop, file, row) as in the snapshots."""
        con.execute(
            "INSERT INTO work.person_record VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, NULL, ?, ?, ?, ?, ?, 'JL. MAWAR', "
            "?, ?, ?, ?, 'nik_padan', 1.0)",
            [
                *lineage,
                record,
                source_household,
                person.nik,
                person.nama,
                person.nama,
                person.jenis_kelamin,
                person.tanggal_lahir,
                person.hubungan,
                no_kk,
                kode_wilayah,
                status,
                person.died if status == "MATI" else None,
                observed,
                person.person_id,
            ],
        )

    def _link(self, con, source, drop, entity, record, registry_id) -> None:
        con.execute(
            "INSERT INTO work.source_link VALUES (?, ?, ?, ?, ?, 'nik_padan', 1.0)",
            [source, drop, entity, record, registry_id],
        )

    def _snapshot_person(self, con, source, person, record, row, household) -> None:
        lineage = [source, DROPS[source], FILES[(source, "person")], row]
        if source == "regsosek":
            con.execute(
                "INSERT INTO work.snapshot_regsosek_individu BY NAME SELECT ? AS source, ? AS drop_id, ? AS file, "
                "? AS row_number, ? AS id_art, ? AS id_rt, ? AS nik, ? AS nama, ? AS jenis_kelamin, "
                "? AS tanggal_lahir, ? AS hubungan_krt, 2 AS status_kawin, ? AS pendidikan_tertinggi, "
                "? AS bekerja, false AS disabilitas",
                [
                    *lineage,
                    record,
                    household.record_id(source),
                    person.nik,
                    person.nama,
                    1 if person.jenis_kelamin == "L" else 2,
                    person.tanggal_lahir,
                    person.hubungan,
                    person.pendidikan,
                    person.bekerja,
                ],
            )
        elif source == "dtks":
            con.execute(
                "INSERT INTO work.snapshot_dtks_anggota BY NAME SELECT ? AS source, ? AS drop_id, ? AS file, "
                "? AS row_number, ? AS id_art, ? AS id_keluarga, ? AS nik, ? AS nama, ? AS jns_kel, "
                "? AS tgl_lahir, ? AS hub_kel",
                [
                    *lineage,
                    record,
                    household.record_id(source),
                    person.nik,
                    person.nama,
                    "LAKI-LAKI" if person.jenis_kelamin == "L" else "PEREMPUAN",
                    person.tanggal_lahir,
                    person.hubungan,
                ],
            )
        else:
            con.execute(
                "INSERT INTO work.snapshot_p3ke_individu BY NAME SELECT ? AS source, ? AS drop_id, ? AS file, "
                "? AS row_number, ? AS id_individu_p3ke, ? AS id_keluarga_p3ke, ? AS nik, ? AS nama, "
                "? AS jenis_kelamin, ? AS tanggal_lahir",
                [
                    *lineage,
                    record,
                    household.record_id(source),
                    person.nik,
                    person.nama,
                    person.jenis_kelamin,
                    person.tanggal_lahir,
                ],
            )

    def _snapshot_household(self, con, source, household, record, row, values) -> None:
        lineage = [source, DROPS[source], FILES[(source, "household")], row]
        if source == "regsosek":
            survey = MIDDLE_SURVEY | values
            names = ", ".join(f"? AS {name}" for name in survey)
            con.execute(
                "INSERT INTO work.snapshot_regsosek_rumah_tangga BY NAME SELECT ? AS source, ? AS drop_id, "
                f"? AS file, ? AS row_number, ? AS id_rt, ? AS no_kk, ? AS kode_desa, {names}, "
                "DATE '2026-09-15' AS tanggal_pencacahan",
                [*lineage, record, household.no_kk, household.kode_wilayah, *survey.values()],
            )
        elif source == "dtks":
            con.execute(
                "INSERT INTO work.snapshot_dtks_keluarga BY NAME SELECT ? AS source, ? AS drop_id, ? AS file, "
                "? AS row_number, ? AS id_keluarga, ? AS no_kk, ? AS kode_wilayah, ? AS penerima_pkh, "
                "? AS penerima_bpnt, ? AS penerima_pbi, DATE '2026-11-01' AS tgl_update",
                [
                    *lineage,
                    record,
                    household.no_kk,
                    household.kode_wilayah,
                    values.get("pkh", False),
                    values.get("bpnt", False),
                    values.get("pbi", False),
                ],
            )
        else:
            con.execute(
                "INSERT INTO work.snapshot_p3ke_keluarga BY NAME SELECT ? AS source, ? AS drop_id, ? AS file, "
                "? AS row_number, ? AS id_keluarga_p3ke, ? AS no_kk, ? AS kode_kemendagri, "
                "? AS desil_kesejahteraan, ? AS status_miskin_ekstrem, ? AS penerima_program",
                [
                    *lineage,
                    record,
                    household.no_kk,
                    household.kode_wilayah,
                    values.get("desil", 2),
                    values.get("miskin", False),
                    values.get("program"),
                ],
            )


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The upstream work tables with the columns of docs/architecture.md (snapshots from the adapters)."""
    lineage = "source VARCHAR, drop_id VARCHAR, file VARCHAR, row_number BIGINT"
    for spec in SOURCES.values():
        for entity in spec.all_entities:
            columns = ", ".join(f"{c.key} {c.snapshot_type}" for c in entity.columns)
            con.execute(f"CREATE TABLE work.snapshot_{spec.table(entity.entity)} ({lineage}, {columns})")
    con.execute(
        "CREATE TABLE work.ledger (source VARCHAR, drop_id VARCHAR, kind VARCHAR, status VARCHAR, reason VARCHAR, "
        "rows_in BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT, processed_at TIMESTAMPTZ, "
        "manifest_sha256 VARCHAR, manifest_mtime_ns BIGINT, run_id VARCHAR)"
    )
    con.execute(
        "CREATE TABLE work.quarantine (source VARCHAR, drop_id VARCHAR, file VARCHAR, row_number BIGINT, "
        "source_record_id VARCHAR, rule VARCHAR, detail VARCHAR, run_id VARCHAR)"
    )
    con.execute(
        "CREATE TABLE work.drop_report (source VARCHAR, drop_id VARCHAR, rule VARCHAR, kode_provinsi VARCHAR, "
        "rows BIGINT, run_id VARCHAR)"
    )
    con.execute(
        "CREATE TABLE work.dukcapil_person (nik VARCHAR, no_kk VARCHAR, nama_lengkap VARCHAR, jenis_kelamin VARCHAR, "
        "tempat_lahir VARCHAR, tanggal_lahir DATE, kode_wilayah VARCHAR, alamat VARCHAR, status_hidup VARCHAR, "
        "tanggal_meninggal DATE, drop_id VARCHAR, file VARCHAR, row_number BIGINT)"
    )
    con.execute(
        "CREATE TABLE work.person_record (source VARCHAR, drop_id VARCHAR, file VARCHAR, row_number BIGINT, "
        "source_record_id VARCHAR, source_household_id VARCHAR, nik VARCHAR, nik_problem VARCHAR, nama VARCHAR, "
        "nama_raw VARCHAR, gelar VARCHAR, jenis_kelamin VARCHAR, tanggal_lahir DATE, hubungan INTEGER, "
        "no_kk VARCHAR, kode_wilayah VARCHAR, alamat VARCHAR, status_hidup VARCHAR, tanggal_meninggal DATE, "
        "observed_at DATE, person_id VARCHAR, match_method VARCHAR, match_probability DOUBLE)"
    )
    con.execute(
        "CREATE TABLE work.household_record (source VARCHAR, drop_id VARCHAR, file VARCHAR, row_number BIGINT, "
        "source_record_id VARCHAR, no_kk VARCHAR, kode_wilayah VARCHAR, alamat VARCHAR, observed_at DATE, "
        "household_id VARCHAR, match_method VARCHAR, match_probability DOUBLE)"
    )
    con.execute(
        "CREATE TABLE work.person_resolved (person_id VARCHAR, household_id VARCHAR, nik VARCHAR, nik_status VARCHAR)"
    )
    con.execute(
        "CREATE TABLE work.source_link (source VARCHAR, drop_id VARCHAR, entity VARCHAR, source_record_id VARCHAR, "
        "registry_id VARCHAR, match_method VARCHAR, match_probability DOUBLE)"
    )


UPSTREAM_PUBLICATIONS = [
    warehouse.Publication("ops.drop_ledger", "work.ledger", "append"),
    warehouse.Publication("quality.quarantine", "work.quarantine", "append"),
    warehouse.Publication("quality.drop_report", "work.drop_report", "append"),
    *(
        warehouse.Publication(
            f"snapshot.{spec.table(e.entity)}", f"work.snapshot_{spec.table(e.entity)}", "replace"
        )
        for spec in SOURCES.values()
        for e in spec.all_entities
    ),
]
"""What validate publishes per docs/architecture.md, for tests that call the publish function directly."""


RunRegistry = Callable[..., PublishOutcome]
"""The ``run_registry`` fixture: publish a world as one run's upstream work tables."""


def build_registry_steps(path: Path) -> None:
    """The registry steps before publish, as the Dagster assets run them."""
    with warehouse.connect(path) as con:
        build_survivors(con)
        build_welfare(con)
        build_eligibility(con)
        build_targeting_errors(con)
