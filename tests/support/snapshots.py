"""Hand-made source snapshots for the reconcile stage's tests, and a small population to train a model on.

``Snapshots`` writes the eight ``work.snapshot_*`` tables of docs/architecture.md (lineage columns first, typed
columns as the architecture lists them) into a real DuckDB file, so the stage runs exactly as in a nightly run.
All data is synthetic.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pandas as pd

from assets.reconcile import standardise
from assets.reconcile.config import LinkageConfig
from assets.reconcile.households import resolve_households
from assets.reconcile.linkage import TrainedModel
from assets.reconcile.persons import resolve_persons
from sejahtera import warehouse
from sejahtera.reference import region_codes
from support.identities import family_members
from support.slips import slipped_person

LINEAGE = [("source", "VARCHAR"), ("drop_id", "VARCHAR"), ("file", "VARCHAR"), ("row_number", "BIGINT")]
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "snapshot_dtks_keluarga": [
        ("id_keluarga", "VARCHAR"), ("no_kk", "VARCHAR"), ("kode_wilayah", "VARCHAR"), ("alamat", "VARCHAR"),
        ("rt", "VARCHAR"), ("rw", "VARCHAR"), ("penerima_pkh", "BOOLEAN"), ("penerima_bpnt", "BOOLEAN"),
        ("penerima_pbi", "BOOLEAN"), ("tgl_update", "DATE"),
    ],
    "snapshot_dtks_anggota": [
        ("id_art", "VARCHAR"), ("id_keluarga", "VARCHAR"), ("nik", "VARCHAR"), ("nama", "VARCHAR"),
        ("jns_kel", "VARCHAR"), ("tmp_lahir", "VARCHAR"), ("tgl_lahir", "DATE"), ("hub_kel", "INTEGER"),
        ("disabilitas", "BOOLEAN"),
    ],
    "snapshot_regsosek_rumah_tangga": [
        ("id_rt", "VARCHAR"), ("no_kk", "VARCHAR"), ("kode_desa", "VARCHAR"), ("alamat", "VARCHAR"),
        ("jumlah_art", "INTEGER"), ("luas_lantai_m2", "DOUBLE"), ("jenis_lantai", "INTEGER"),
        ("jenis_dinding", "INTEGER"), ("jenis_atap", "INTEGER"), ("sumber_air_minum", "INTEGER"),
        ("fasilitas_bab", "INTEGER"), ("sumber_penerangan", "INTEGER"), ("bahan_bakar_memasak", "INTEGER"),
        ("status_kepemilikan_rumah", "INTEGER"), ("daya_listrik_va", "INTEGER"), ("aset_motor", "BOOLEAN"),
        ("aset_mobil", "BOOLEAN"), ("aset_kulkas", "BOOLEAN"), ("aset_ac", "BOOLEAN"), ("aset_tv", "BOOLEAN"),
        ("aset_emas", "BOOLEAN"), ("aset_lahan_m2", "DOUBLE"), ("tanggal_pencacahan", "DATE"),
    ],
    "snapshot_regsosek_individu": [
        ("id_art", "VARCHAR"), ("id_rt", "VARCHAR"), ("nik", "VARCHAR"), ("nama", "VARCHAR"),
        ("jenis_kelamin", "INTEGER"), ("tanggal_lahir", "DATE"), ("hubungan_krt", "INTEGER"),
        ("status_kawin", "INTEGER"), ("pendidikan_tertinggi", "INTEGER"), ("bekerja", "BOOLEAN"),
        ("disabilitas", "BOOLEAN"),
    ],
    "snapshot_p3ke_keluarga": [
        ("id_keluarga_p3ke", "VARCHAR"), ("no_kk", "VARCHAR"), ("kode_kemendagri", "VARCHAR"),
        ("alamat", "VARCHAR"), ("desil_kesejahteraan", "INTEGER"), ("status_miskin_ekstrem", "BOOLEAN"),
        ("penerima_program", "VARCHAR"),
    ],
    "snapshot_p3ke_individu": [
        ("id_individu_p3ke", "VARCHAR"), ("id_keluarga_p3ke", "VARCHAR"), ("nik", "VARCHAR"), ("nama", "VARCHAR"),
        ("jenis_kelamin", "VARCHAR"), ("tanggal_lahir", "DATE"), ("hubungan_keluarga", "VARCHAR"),
        ("pekerjaan", "VARCHAR"),
    ],
    "snapshot_dukcapil_penduduk": [
        ("nik", "VARCHAR"), ("no_kk", "VARCHAR"), ("nama_lengkap", "VARCHAR"), ("jenis_kelamin", "VARCHAR"),
        ("tempat_lahir", "VARCHAR"), ("tanggal_lahir", "DATE"), ("kode_wilayah", "VARCHAR"), ("alamat", "VARCHAR"),
        ("status_hidup", "VARCHAR"), ("tanggal_meninggal", "DATE"),
    ],
    "snapshot_dukcapil_peristiwa": [
        ("id_peristiwa", "VARCHAR"), ("jenis_peristiwa", "VARCHAR"), ("tanggal_peristiwa", "DATE"),
        ("nik", "VARCHAR"), ("no_kk", "VARCHAR"), ("nama_lengkap", "VARCHAR"), ("jenis_kelamin", "VARCHAR"),
        ("tempat_lahir", "VARCHAR"), ("tanggal_lahir", "DATE"), ("kode_wilayah", "VARCHAR"), ("alamat", "VARCHAR"),
    ],
}  # fmt: skip

SOURCE_OF = {t: t.split("_")[1] for t in COLUMNS}
FILE_OF = {
    "snapshot_dtks_keluarga": "keluarga.csv",
    "snapshot_dtks_anggota": "anggota.csv",
    "snapshot_regsosek_rumah_tangga": "rumah_tangga.parquet",
    "snapshot_regsosek_individu": "individu.parquet",
    "snapshot_p3ke_keluarga": "keluarga.csv.gz",
    "snapshot_p3ke_individu": "individu.csv.gz",
    "snapshot_dukcapil_penduduk": "penduduk.parquet",
    "snapshot_dukcapil_peristiwa": "peristiwa.csv",
}
DEFAULT_DROP = {"dtks": "20261115", "regsosek": "20260915", "p3ke": "20261001", "dukcapil": "20261120"}

# Real Kemendagri codes (reference/): two villages of one district, and a village in another regency.
VILLAGE = "3201011001"
VILLAGE_2 = "3201011002"
VILLAGE_FAR = "3273011001"
SEX = {"L": "LAKI-LAKI", "P": "PEREMPUAN"}


class Snapshots:
    """Rows of the eight snapshot tables, added with small helpers, written into a warehouse's work area."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {t: [] for t in COLUMNS}

    def add(self, table: str, drop_id: str | None = None, **values) -> None:
        rows = self.rows[table]
        source = SOURCE_OF[table]
        rows.append(
            {
                "source": source,
                "drop_id": drop_id or DEFAULT_DROP[source],
                "file": FILE_OF[table],
                "row_number": sum(1 for r in rows if r["drop_id"] == (drop_id or DEFAULT_DROP[source])) + 1,
                **values,
            }
        )

    # Dukcapil
    def penduduk(
        self, nik: str, nama: str, sex: str, dob: str, no_kk: str, village: str = VILLAGE, **kw
    ) -> None:
        self.add(
            "snapshot_dukcapil_penduduk",
            nik=nik, no_kk=no_kk, nama_lengkap=nama, jenis_kelamin=SEX[sex], tempat_lahir="BOGOR",
            tanggal_lahir=dob, kode_wilayah=village, alamat=kw.pop("alamat", "JL MAWAR 1"),
            status_hidup=kw.pop("status_hidup", "HIDUP"), tanggal_meninggal=kw.pop("tanggal_meninggal", None), **kw,
        )  # fmt: skip

    def event(self, id_peristiwa: str, jenis: str, tanggal: str, nik: str, drop_id: str, **fields) -> None:
        if "jenis_kelamin" in fields:
            fields["jenis_kelamin"] = SEX[fields["jenis_kelamin"]]
        self.add(
            "snapshot_dukcapil_peristiwa", drop_id=drop_id, id_peristiwa=id_peristiwa, jenis_peristiwa=jenis,
            tanggal_peristiwa=tanggal, nik=nik, **fields,
        )  # fmt: skip

    # DTKS
    def dtks_keluarga(self, id_keluarga: str, no_kk: str | None, village: str = VILLAGE) -> None:
        self.add(
            "snapshot_dtks_keluarga", id_keluarga=id_keluarga, no_kk=no_kk, kode_wilayah=village,
            alamat="JL MAWAR 1", rt="001", rw="002", penerima_pkh=True, penerima_bpnt=False, penerima_pbi=True,
            tgl_update="2026-10-01",
        )  # fmt: skip

    def dtks_anggota(
        self, id_art: str, id_keluarga: str, nik: str | None, nama: str, sex: str, dob: str, hub: int
    ):
        self.add(
            "snapshot_dtks_anggota", id_art=id_art, id_keluarga=id_keluarga, nik=nik, nama=nama, jns_kel=SEX[sex],
            tmp_lahir="BOGOR", tgl_lahir=dob, hub_kel=hub, disabilitas=False,
        )  # fmt: skip

    # Regsosek
    def regsosek_rt(self, id_rt: str, no_kk: str | None, village: str = VILLAGE) -> None:
        self.add(
            "snapshot_regsosek_rumah_tangga", id_rt=id_rt, no_kk=no_kk, kode_desa=village, alamat="JL MAWAR 1",
            jumlah_art=3, luas_lantai_m2=36.0, jenis_lantai=2, jenis_dinding=1, jenis_atap=2, sumber_air_minum=3,
            fasilitas_bab=1, sumber_penerangan=1, bahan_bakar_memasak=3, status_kepemilikan_rumah=1,
            daya_listrik_va=900, aset_motor=True, aset_mobil=False, aset_kulkas=True, aset_ac=False, aset_tv=True,
            aset_emas=False, aset_lahan_m2=0.0, tanggal_pencacahan="2026-09-01",
        )  # fmt: skip

    def regsosek_art(self, id_art: str, id_rt: str, nik: str | None, nama: str, sex: str, dob: str, hub: int):
        self.add(
            "snapshot_regsosek_individu", id_art=id_art, id_rt=id_rt, nik=nik, nama=nama,
            jenis_kelamin=1 if sex == "L" else 2, tanggal_lahir=dob, hubungan_krt=hub, status_kawin=2,
            pendidikan_tertinggi=2, bekerja=True, disabilitas=False,
        )  # fmt: skip

    # P3KE
    def p3ke_keluarga(self, id_keluarga: str, no_kk: str | None, village: str = VILLAGE) -> None:
        dotted = f"{village[:2]}.{village[2:4]}.{village[4:6]}.{village[6:]}"
        self.add(
            "snapshot_p3ke_keluarga", id_keluarga_p3ke=id_keluarga, no_kk=no_kk, kode_kemendagri=dotted,
            alamat="JL MAWAR 1", desil_kesejahteraan=1, status_miskin_ekstrem=True, penerima_program="PKH;BPNT",
        )  # fmt: skip

    def p3ke_individu(self, id_individu: str, id_keluarga: str, nik: str | None, nama: str, sex: str, dob: str,
                      hubungan: str) -> None:  # fmt: skip
        self.add(
            "snapshot_p3ke_individu", id_individu_p3ke=id_individu, id_keluarga_p3ke=id_keluarga, nik=nik,
            nama=nama, jenis_kelamin=sex, tanggal_lahir=dob, hubungan_keluarga=hubungan, pekerjaan="PETANI",
        )  # fmt: skip

    def write(self, path: Path, run_id: str = "run-1") -> Path:
        """Start ``run_id``'s work area in the warehouse at ``path`` and write the eight snapshot tables."""
        with warehouse.connect(path) as con:
            warehouse.reset_work(con, run_id)
            for table, columns in COLUMNS.items():
                typed = [*LINEAGE, *columns]
                con.execute(f"CREATE TABLE work.{table} ({', '.join(f'{c} {t}' for c, t in typed)})")
                rows = self.rows[table]
                if not rows:
                    continue
                frame = pd.DataFrame([{c: r.get(c) for c, _ in typed} for r in rows], dtype=object)
                con.register("_rows", frame)
                casts = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in typed)
                con.execute(f"INSERT INTO work.{table} SELECT {casts} FROM _rows")
                con.unregister("_rows")
        return path


def reconcile(path: Path, model: TrainedModel, config: LinkageConfig) -> None:
    """The reconcile stage on the work area at ``path``, as the nightly assets run it."""
    with warehouse.connect(path) as con:
        standardise.build_records(con)
        resolve_persons(con, model, config)
        resolve_households(con)


def publish_ids(path: Path) -> None:
    """What a run publishes that the next run reads back: source links, person households, the snapshots."""
    with warehouse.connect(path) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS snapshot")
        for table in COLUMNS:
            published = table.removeprefix("snapshot_")
            con.execute(f"CREATE OR REPLACE TABLE snapshot.{published} AS SELECT * FROM work.{table}")
        con.execute("CREATE SCHEMA IF NOT EXISTS registry")
        con.execute("CREATE OR REPLACE TABLE registry.source_link AS SELECT * FROM work.source_link")
        con.execute(
            "CREATE OR REPLACE TABLE registry.person AS SELECT person_id, nik, nik_status, household_id "
            "FROM work.person_resolved"
        )


# --- a small synthetic population to train the session's model on -----------------------------------------


def training_population(households: int, seed: int, snaps: Snapshots | None = None) -> Snapshots:
    """Families in forty villages, listed by the agencies with the usual noise: a realistic small training set.

    Their NIK serials start at 5000 and their KK numbers differ from :func:`kk`'s, so hand-made cases can be
    added to the same snapshots without colliding.
    """
    rng = random.Random(seed)
    snaps = snaps or Snapshots()
    villages = _training_villages()
    serial = 5000
    for h in range(households):
        village = rng.choice(villages)
        district = village[:6]
        family_kk = _town_kk(1, seed, h, district)
        members = family_members(rng, district, serial, [1, 2, 3, 3, 4, 4, 5, 6])
        serial += len(members)
        # Life since the agencies listed them: some families moved (new KK and village in Dukcapil only), in
        # some an adult child split off with a KK of their own (pecah KK).
        life, new_village = rng.random(), rng.choice(villages)
        for i, (person_nik, sex, dob, nama, _) in enumerate(members):
            if life < 0.1:
                current_kk, current_village = _town_kk(2, seed, h, district), new_village
            elif life < 0.2 and i >= 2 and i == len(members) - 1:
                current_kk, current_village = _town_kk(3, seed, h, district), village
            else:
                current_kk, current_village = family_kk, village
            snaps.penduduk(person_nik, nama, sex, dob, current_kk, current_village)
        for source, share in (("dtks", 0.5), ("regsosek", 0.9), ("p3ke", 0.3)):
            if rng.random() > share:
                continue
            hid = f"{source[0].upper()}{h:05d}"
            {"dtks": snaps.dtks_keluarga, "regsosek": snaps.regsosek_rt, "p3ke": snaps.p3ke_keluarga}[source](
                hid, family_kk, village
            )
            for j, (person_nik, sex, dob, nama, hub) in enumerate(members):
                noisy_nik, noisy_name, noisy_dob = slipped_person(
                    rng,
                    person_nik,
                    nama,
                    dob,
                    members[0][0],
                    name_shares=NAME_SLIPS,
                    date_slip=_training_date_slip,
                )
                pid = f"{hid}-{j}"
                if source == "dtks":
                    snaps.dtks_anggota(pid, hid, noisy_nik, noisy_name, sex, noisy_dob, hub)
                elif source == "regsosek":
                    snaps.regsosek_art(pid, hid, noisy_nik, noisy_name, sex, noisy_dob, hub)
                else:
                    rel = {1: "Kepala Keluarga", 2: "Istri" if sex == "P" else "Suami", 3: "Anak"}[hub]
                    snaps.p3ke_individu(pid, hid, noisy_nik, noisy_name, sex, noisy_dob, rel)
    return snaps


def _town_kk(kind: int, seed: int, household: int, district: str) -> str:
    """KK numbers of the synthetic town: ``kind`` 1 a family's own, 2 after a move, 3 after a split."""
    return f"{district}{kind:02d}{seed:04d}{household + 1:04d}"


def _training_villages() -> list[str]:
    """Forty real village codes in three regencies of West Java (a few families per village, as in life)."""
    codes = sorted(region_codes().villages)
    return [
        v for prefix in ("3201", "3204", "3273") for v in [c for c in codes if c.startswith(prefix)][:14]
    ][:40]


NAME_SLIPS = (0.1, 0.15, 0.2, 0.23)
"""The training town's cumulative name-slip shares (see :func:`support.slips.slipped_name`)."""


def _training_date_slip(rng: random.Random, r: float, d: date) -> date | None:
    """The training town's other birth-date slips: 3 % a year off either way, 2 % a wrong day."""
    if r < 0.08:
        return date(d.year + rng.choice([-1, 1]), d.month, min(d.day, 28))
    if r < 0.10:
        return date(d.year, d.month, min(28, d.day % 9 + 1 if d.day > 9 else d.day + 10))
    return None


def town(snaps: Snapshots | None = None) -> Snapshots:
    """A small background town (40 families) around hand-made cases, so that name frequencies are realistic."""
    return training_population(households=40, seed=11, snaps=snaps)
