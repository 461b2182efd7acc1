"""Hand-made landing zones written to the letter of the drop contract, and the real ``sejahtera run`` over them.

The contract (``docs/contract.md``, sections 1-2) fixes every file's format: DTKS ``;`` CSV with
DD-MM-YYYY dates, Regsosek typed Parquet, P3KE gzip CSV with dotted village codes and DD/MM/YYYY, Dukcapil
Parquet fulls and ``,`` CSV deltas. :class:`Zone` writes drops in exactly those formats (manifest last, sha256
and row counts right) from a few lines of Python per case, so that a test states a case the way an agency would
deliver it and reads the published registry the way the receiving agency would.

Linkage needs a trained model, and a model needs data: :func:`background` adds a small town of ordinary families
(each listed by some agencies, with the usual spelling, date and NIK slips) around the hand-made cases. The
tests only ever assert on their own cases. All data is synthetic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa

from support.cli import Operator
from support.identities import family_members, kk
from support.landing import DataFile, csv_bytes, parquet_bytes, write_drop
from support.slips import slipped_person
from support.surveys import MIDDLE_SURVEY

SEX_TEXT = {"L": "LAKI-LAKI", "P": "PEREMPUAN"}
P3KE_RELATION = {1: "Kepala Keluarga", 2: "Istri", 3: "Anak", 4: "Menantu", 5: "Cucu", 6: "Orang Tua", 7: "Famili Lain", 8: "Lainnya"}  # fmt: skip

VILLAGE = "3201011001"
VILLAGE_2 = "3201011002"
VILLAGE_JATENG = "3374011001"
VILLAGE_BALI = "5171011001"
DISTRICT_2022_ONLY = "920101"
"""A Kab. Sorong district code of the 2022 decree, renumbered (96.01) in 2025: still a valid NIK prefix."""


@dataclass
class Citizen:
    """One row of Dukcapil's ``penduduk.parquet``."""

    nik: str
    nama: str
    sex: str
    dob: str
    no_kk: str
    village: str = VILLAGE
    alamat: str = "JL MAWAR 1"
    tempat_lahir: str = "BOGOR"
    status_hidup: str = "HIDUP"
    tanggal_meninggal: str | None = None


@dataclass
class Member:
    """One agency person record (DTKS anggota, Regsosek individu, P3KE individu)."""

    record_id: str
    nik: str | None
    nama: str
    sex: str
    dob: str
    hub: int = 1
    pendidikan: int = 3
    bekerja: bool = True


@dataclass
class Family:
    """One agency household record with its members. ``survey`` overrides Regsosek housing columns; ``flags``
    DTKS's receipt flags; ``p3ke`` P3KE's desil / extreme-poverty / programme columns."""

    record_id: str
    no_kk: str | None
    village: str
    members: list[Member] = field(default_factory=list)
    survey: dict = field(default_factory=dict)
    p3ke: dict = field(default_factory=dict)
    flags: dict = field(default_factory=dict)
    alamat: str = "JL MAWAR 1"


def event(
    id_peristiwa: str, jenis: str, tanggal: str, nik_: str, **new_values: str | None
) -> dict[str, str | None]:
    """One row of Dukcapil's ``peristiwa.csv`` (new values by contract column name; absent = unchanged)."""
    if "jenis_kelamin" in new_values and new_values["jenis_kelamin"] in SEX_TEXT:
        new_values["jenis_kelamin"] = SEX_TEXT[new_values["jenis_kelamin"]]
    return {
        "id_peristiwa": id_peristiwa,
        "jenis_peristiwa": jenis,
        "tanggal_peristiwa": tanggal,
        "nik": nik_,
    } | {k: v for k, v in new_values.items()}


POOR_SURVEY = MIDDLE_SURVEY | {
    "luas_lantai_m2": 18.0, "jenis_lantai": 8, "jenis_dinding": 6, "jenis_atap": 7, "sumber_air_minum": 9,
    "fasilitas_bab": 4, "sumber_penerangan": 4, "bahan_bakar_memasak": 7, "daya_listrik_va": 0,
    "aset_motor": False, "aset_tv": False,
}  # fmt: skip
RICH_SURVEY = MIDDLE_SURVEY | {
    "luas_lantai_m2": 200.0, "jenis_lantai": 1, "jenis_dinding": 1, "jenis_atap": 1, "sumber_air_minum": 1,
    "fasilitas_bab": 1, "sumber_penerangan": 1, "bahan_bakar_memasak": 1, "daya_listrik_va": 5500,
    "aset_mobil": True, "aset_kulkas": True, "aset_ac": True, "aset_emas": True, "aset_lahan_m2": 3000.0,
}  # fmt: skip

EVENT_COLUMNS = [
    "id_peristiwa", "jenis_peristiwa", "tanggal_peristiwa", "nik", "no_kk", "nama_lengkap", "jenis_kelamin",
    "tempat_lahir", "tanggal_lahir", "kode_wilayah", "alamat",
]  # fmt: skip


def _dmy(iso: str, sep: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.day:02d}{sep}{d.month:02d}{sep}{d.year:04d}"


class Zone(Operator):
    """An operator's machine (:class:`support.cli.Operator`) with each agency's way of delivering a drop."""

    # --- delivering drops --------------------------------------------------------------------------------------

    def deliver(self, source: str, drop_id: str, kind: str, files: list[tuple[str, str, bytes, int]]) -> Path:
        """Write ``(name, entity, content, rows)`` files, then the manifest (last, as the contract says)."""
        return write_drop(self.landing, source, drop_id, kind, [DataFile(*f) for f in files])

    def dukcapil_full(self, drop_id: str, citizens: list[Citizen]) -> Path:
        table = pa.table(
            {
                "nik": pa.array([c.nik for c in citizens], pa.string()),
                "no_kk": pa.array([c.no_kk for c in citizens], pa.string()),
                "nama_lengkap": pa.array([c.nama for c in citizens], pa.string()),
                "jenis_kelamin": pa.array([SEX_TEXT[c.sex] for c in citizens], pa.string()),
                "tempat_lahir": pa.array([c.tempat_lahir for c in citizens], pa.string()),
                "tanggal_lahir": pa.array([date.fromisoformat(c.dob) for c in citizens], pa.date32()),
                "kode_wilayah": pa.array([c.village for c in citizens], pa.string()),
                "alamat": pa.array([c.alamat for c in citizens], pa.string()),
                "status_hidup": pa.array([c.status_hidup for c in citizens], pa.string()),
                "tanggal_meninggal": pa.array(
                    [
                        date.fromisoformat(c.tanggal_meninggal) if c.tanggal_meninggal else None
                        for c in citizens
                    ],
                    pa.date32(),
                ),
            }
        )
        return self.deliver(
            "dukcapil",
            drop_id,
            "full",
            [("penduduk.parquet", "penduduk", parquet_bytes(table), len(citizens))],
        )

    def dukcapil_delta(self, drop_id: str, events: list[dict]) -> Path:
        rows = [[e.get(c) for c in EVENT_COLUMNS] for e in events]
        content = csv_bytes(EVENT_COLUMNS, rows)
        return self.deliver(
            "dukcapil", drop_id, "delta", [("peristiwa.csv", "peristiwa", content, len(rows))]
        )

    def dtks(self, drop_id: str, families: list[Family], tgl_update: str | None = None) -> Path:
        updated = _dmy(tgl_update or f"{drop_id[:4]}-{drop_id[4:6]}-{drop_id[6:8]}", "-")
        keluarga = [
            [
                f.record_id, f.no_kk, f.village, f.alamat, "001", "002",
                f.flags.get("pkh", "T"), f.flags.get("bpnt", "T"), f.flags.get("pbi", "T"), updated,
            ]
            for f in families
        ]  # fmt: skip
        anggota = [
            [m.record_id, f.record_id, m.nik, m.nama, SEX_TEXT[m.sex], "BOGOR", _dmy(m.dob, "-"), m.hub, "T"]
            for f in families
            for m in f.members
        ]
        k_header = ["ID_KELUARGA", "NO_KK", "KODE_WILAYAH", "ALAMAT", "RT", "RW", "PENERIMA_PKH", "PENERIMA_BPNT",
                    "PENERIMA_PBI", "TGL_UPDATE"]  # fmt: skip
        a_header = ["ID_ART", "ID_KELUARGA", "NIK", "NAMA", "JNS_KEL", "TMP_LAHIR", "TGL_LAHIR", "HUB_KEL",
                    "DISABILITAS"]  # fmt: skip
        return self.deliver(
            "dtks",
            drop_id,
            "full",
            [
                ("keluarga.csv", "keluarga", csv_bytes(k_header, keluarga, delimiter=";"), len(keluarga)),
                ("anggota.csv", "anggota", csv_bytes(a_header, anggota, delimiter=";"), len(anggota)),
            ],
        )

    def regsosek(self, drop_id: str, families: list[Family], enumerated: str = "2026-09-01") -> Path:
        surveys = [MIDDLE_SURVEY | f.survey for f in families]
        rt: dict[str, pa.Array] = {
            "id_rt": pa.array([f.record_id for f in families], pa.string()),
            "no_kk": pa.array([f.no_kk for f in families], pa.string()),
            "kode_desa": pa.array([f.village for f in families], pa.string()),
            "alamat": pa.array([f.alamat for f in families], pa.string()),
            "jumlah_art": pa.array([len(f.members) for f in families], pa.int64()),
        }
        for column, value in MIDDLE_SURVEY.items():
            kind = (
                pa.bool_()
                if isinstance(value, bool)
                else pa.float64()
                if isinstance(value, float)
                else pa.int64()
            )
            rt[column] = pa.array([s[column] for s in surveys], kind)
        rt["tanggal_pencacahan"] = pa.array([date.fromisoformat(enumerated)] * len(families), pa.date32())
        members = [(f, m) for f in families for m in f.members]
        art = pa.table(
            {
                "id_art": pa.array([m.record_id for _, m in members], pa.string()),
                "id_rt": pa.array([f.record_id for f, _ in members], pa.string()),
                "nik": pa.array([m.nik for _, m in members], pa.string()),
                "nama": pa.array([m.nama for _, m in members], pa.string()),
                "jenis_kelamin": pa.array([1 if m.sex == "L" else 2 for _, m in members], pa.int64()),
                "tanggal_lahir": pa.array([date.fromisoformat(m.dob) for _, m in members], pa.date32()),
                "hubungan_krt": pa.array([m.hub for _, m in members], pa.int64()),
                "status_kawin": pa.array([2 if m.hub <= 2 else 1 for _, m in members], pa.int64()),
                "pendidikan_tertinggi": pa.array([m.pendidikan for _, m in members], pa.int64()),
                "bekerja": pa.array([m.bekerja for _, m in members], pa.bool_()),
                "disabilitas": pa.array([False for _ in members], pa.bool_()),
            }
        )
        return self.deliver(
            "regsosek",
            drop_id,
            "full",
            [
                ("rumah_tangga.parquet", "rumah_tangga", parquet_bytes(pa.table(rt)), len(families)),
                ("individu.parquet", "individu", parquet_bytes(art), len(members)),
            ],
        )

    def p3ke(self, drop_id: str, families: list[Family]) -> Path:
        def dotted(v: str) -> str:
            return f"{v[:2]}.{v[2:4]}.{v[4:6]}.{v[6:]}"

        keluarga = [
            [
                f.record_id, f.no_kk, dotted(f.village), f.alamat, f.p3ke.get("desil", 2),
                f.p3ke.get("ekstrem", "Tidak"), f.p3ke.get("program", ""),
            ]
            for f in families
        ]  # fmt: skip
        individu = [
            [m.record_id, f.record_id, m.nik, m.nama, m.sex, _dmy(m.dob, "/"), P3KE_RELATION[m.hub], "PETANI"]
            for f in families
            for m in f.members
        ]
        k_header = ["id_keluarga_p3ke", "no_kk", "kode_kemendagri", "alamat", "desil_kesejahteraan",
                    "status_miskin_ekstrem", "penerima_program"]  # fmt: skip
        i_header = ["id_individu_p3ke", "id_keluarga_p3ke", "nik", "nama", "jenis_kelamin", "tanggal_lahir",
                    "hubungan_keluarga", "pekerjaan"]  # fmt: skip
        return self.deliver(
            "p3ke",
            drop_id,
            "full",
            [
                (
                    "keluarga.csv.gz",
                    "keluarga",
                    csv_bytes(k_header, keluarga, gzipped=True),
                    len(keluarga),
                ),
                (
                    "individu.csv.gz",
                    "individu",
                    csv_bytes(i_header, individu, gzipped=True),
                    len(individu),
                ),
            ],
        )

    # --- reading the registry -----------------------------------------------------------------------------

    def linked_to(self, entity: str, source: str, record_id: str) -> str | None:
        """The registry person or household an agency record (or a Dukcapil NIK) is linked to, exactly once."""
        rows = self.query(
            "SELECT registry_id FROM registry.source_link WHERE entity = ? AND source = ? AND source_record_id = ?",
            [entity, source, record_id],
        )
        assert len(rows) == 1, f"{source} {record_id}: {len(rows)} {entity} links"
        return rows[0][0]

    def person_of(self, source: str, record_id: str) -> str | None:
        return self.linked_to("person", source, record_id)

    def household_of(self, source: str, record_id: str) -> str | None:
        return self.linked_to("household", source, record_id)

    def person(self, person_id: str) -> dict:
        frame = self.frame("SELECT * FROM registry.person WHERE person_id = ?", [person_id])
        assert len(frame) == 1, person_id
        return frame.iloc[0].to_dict()

    def household(self, household_id: str) -> dict:
        frame = self.frame("SELECT * FROM registry.household WHERE household_id = ?", [household_id])
        assert len(frame) == 1, household_id
        return frame.iloc[0].to_dict()


# --- the background town ----------------------------------------------------------------------------------------

TOWN_VILLAGES = [
    "3201011001", "3201011002", "3201011003", "3201011004", "3201022001", "3201022002", "3201022003",
    "3273011001", "3273011002", "3273011003", "3374011001", "3374011002", "5171011001", "5171011002",
]  # fmt: skip
SURVEYS = [POOR_SURVEY, MIDDLE_SURVEY, RICH_SURVEY]


@dataclass
class Town:
    """The background: Dukcapil's citizens and each agency's families (lists the hand-made cases extend)."""

    citizens: list[Citizen] = field(default_factory=list)
    dtks: list[Family] = field(default_factory=list)
    regsosek: list[Family] = field(default_factory=list)
    p3ke: list[Family] = field(default_factory=list)


def background(households: int = 160, seed: int = 5) -> Town:
    """Ordinary families in fourteen real villages, listed by the agencies with the usual slips.

    NIK serials start at 7000 and KK serials at 7000: hand-made cases use serials below 7000.
    """
    rng = random.Random(seed)
    town = Town()
    serial = 7000
    for h in range(households):
        village = rng.choice(TOWN_VILLAGES)
        district = village[:6]
        family_kk = kk(7000 + h, district)
        members = family_members(rng, district, serial, [1, 2, 3, 3, 4, 4, 5])
        serial += len(members)
        for person_nik, sex, dob, nama, _ in members:
            town.citizens.append(Citizen(person_nik, nama, sex, dob, family_kk, village))
        survey = rng.choice(SURVEYS)
        for source, share in (("dtks", 0.5), ("regsosek", 0.85), ("p3ke", 0.3)):
            if rng.random() > share:
                continue
            hid = f"{source[0].upper()}B{h:04d}"
            family = Family(hid, family_kk, village, survey=survey, p3ke={"desil": rng.randrange(1, 5)})
            for j, (person_nik, sex, dob, nama, hub) in enumerate(members):
                noisy_nik, noisy_name, noisy_dob = slipped_person(
                    rng, person_nik, nama, dob, members[0][0], name_shares=NAME_SLIPS, date_slip=_year_later
                )
                family.members.append(Member(f"{hid}-{j}", noisy_nik, noisy_name, sex, noisy_dob, hub))
            getattr(town, source).append(family)
    return town


NAME_SLIPS = (0.08, 0.13, 0.18, 0.21)
"""The background town's cumulative name-slip shares (see :func:`support.slips.slipped_name`)."""


def _year_later(rng: random.Random, r: float, d: date) -> date | None:
    """The background town's other birth-date slip: 3 % written a year later."""
    return date(d.year + 1, d.month, d.day) if r < 0.08 else None
