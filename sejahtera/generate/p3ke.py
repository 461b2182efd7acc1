"""Kemenko PMK P3KE: the poorest ~15 % of families, with a welfare decile 1-4 and an extreme-poverty flag.

gzip CSV, ``,``-separated, village codes with dots (``32.01.01.2001``), DD/MM/YYYY (contract section 2).
The decile comes from a noisy welfare rank, as P3KE's own ranking was; programmes received follow DTKS's flags
where the family is in DTKS, with the same targeting errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sejahtera.generate import defects, record_noise
from sejahtera.generate.config import Calendar, NoiseConfig, drop_id
from sejahtera.generate.days import day, format_days
from sejahtera.generate.defects import Breakable, dotted
from sejahtera.generate.files import CsvLayout, Drop, SourceFile
from sejahtera.generate.life import Timeline
from sejahtera.generate.population import (
    CHILD,
    CHILD_IN_LAW,
    GRANDCHILD,
    HEAD,
    OTHER,
    PARENT,
    RELATIVE,
    SPOUSE,
)
from sejahtera.generate.views import IdMakers, agency_view, covered_by_score, existing_households

SOURCE = "p3ke"
COVERAGE = 0.15
EXTREME_SHARE = 0.025
"""Share of all households (by noisy welfare rank) flagged ``miskin ekstrem``."""
DATE_STYLE = "%d/%m/%Y"
LAYOUT = CsvLayout(delimiter=",", gzip=True)
KELUARGA_COLUMNS = (
    "id_keluarga_p3ke", "no_kk", "kode_kemendagri", "alamat",
    "desil_kesejahteraan", "status_miskin_ekstrem", "penerima_program",
)  # fmt: skip
INDIVIDU_COLUMNS = (
    "id_individu_p3ke", "id_keluarga_p3ke", "nik", "nama", "jenis_kelamin", "tanggal_lahir",
    "hubungan_keluarga", "pekerjaan",
)  # fmt: skip
KELUARGA_BREAKS = Breakable(
    record_id="id_keluarga_p3ke",
    is_household_file=True,
    date_style=DATE_STYLE,
    regions=("kode_kemendagri",),
    dotted_regions=True,
    codes={"desil_kesejahteraan": ("0", "5", "9", "10"), "status_miskin_ekstrem": ("Y", "T", "1", "-")},
    texts=("alamat",),
)
INDIVIDU_BREAKS = Breakable(
    record_id="id_individu_p3ke",
    household_ref="id_keluarga_p3ke",
    date_style=DATE_STYLE,
    birth_dates=("tanggal_lahir",),
    codes={
        "jenis_kelamin": ("X", "LK", "PR", "1"),
        "hubungan_keluarga": ("Anak Angkat", "Keponakan", "Pembantu", "0"),
    },
    texts=("nama", "pekerjaan"),
)


def build(
    rng: np.random.Generator, timeline: Timeline, noise: NoiseConfig, calendar: Calendar, ids: IdMakers
) -> Drop:
    """P3KE's drop for the households of ``timeline``; ``ids`` continues the record ids of earlier chunks."""
    t = day(calendar.p3ke_view)
    view = agency_view(
        timeline, t, covered_by_score(timeline, t, "score_p3ke", COVERAGE), rng=rng, noise=noise
    )
    hh, members = view.households, view.members
    family_ids = ids.get(rng, "p3ke.id_keluarga_p3ke", "P3KE", 9)
    person_ids = ids.get(rng, "p3ke.id_individu_p3ke", "P3KI", 11)
    n = len(hh)
    hh["_uid"] = np.arange(n)
    hh["id"] = family_ids.take(rng, n)
    labels = record_noise.household_noise(rng, hh, noise)
    # The decile and extreme-poverty flag: P3KE's own noisy national ranking, capped at decile 4.
    existing = existing_households(timeline, t)
    everyone = timeline.households.set_index("hh").loc[existing, "welfare"].to_numpy()
    noisy = hh["welfare"].to_numpy() + rng.normal(0, 0.15, n)
    national = np.searchsorted(np.sort(everyone + rng.normal(0, 0.15, everyone.size)), noisy) / max(
        everyone.size, 1
    )
    desil = np.clip(np.ceil(national * 10), 1, 4).astype(int)
    extreme = national < EXTREME_SHARE
    village = hh["village"].to_numpy(dtype=object)
    undotted = rng.random(n) < noise.region_format
    region = np.array([v if u else dotted(v) for v, u in zip(village, undotted, strict=True)], dtype=object)
    labels += [(int(u), "region_format") for u in hh["_uid"].to_numpy()[undotted]]
    keluarga = pd.DataFrame(
        {
            "_uid": hh["_uid"].to_numpy(),
            "_rec_hh": hh["rec_hh"].to_numpy(),
            "id_keluarga_p3ke": hh["id"].to_numpy(),
            "no_kk": hh["kk"].to_numpy(),
            "kode_kemendagri": region,
            "alamat": hh["street"]
            + " RT "
            + hh["rt"].astype(str).str.zfill(3)
            + " RW "
            + hh["rw"].astype(str).str.zfill(3),
            "desil_kesejahteraan": desil.astype(str),
            "status_miskin_ekstrem": np.where(extreme, "Ya", "Tidak"),
            "penerima_program": _programmes(rng, national),
        }
    )
    members["_uid"] = np.arange(len(members)) + n
    members["_rec_hh"] = members["rec_hh"]
    labels += record_noise.person_noise(rng, members, noise, calendar.p3ke_view)
    family_of = pd.Series(hh["id"].to_numpy(), index=hh["rec_hh"].to_numpy())
    individu = pd.DataFrame(
        {
            "_uid": members["_uid"].to_numpy(),
            "_pid": members["pid"].to_numpy(),
            "_rec_hh": members["rec_hh"].to_numpy(),
            "id_individu_p3ke": person_ids.take(rng, len(members)),
            "id_keluarga_p3ke": family_of.loc[members["rec_hh"].to_numpy()].to_numpy(),
            "nik": members["nik"].to_numpy(),
            "nama": members["name"].to_numpy(),
            "jenis_kelamin": members["sex"].to_numpy(),
            "tanggal_lahir": format_days(members["birth"].to_numpy(), DATE_STYLE),
            "hubungan_keluarga": _relationship_text(rng, members),
            "pekerjaan": _occupations(rng, members, t, noise),
        }
    )
    keluarga = defects.inject(rng, keluarga, KELUARGA_BREAKS, noise)
    individu = defects.inject(rng, individu, INDIVIDU_BREAKS, noise, new_household_id=family_ids.one)
    defects.cascade_members(
        individu, "id_keluarga_p3ke", defects.accepted_household_ids(keluarga, "id_keluarga_p3ke")
    )
    did = drop_id(calendar.p3ke_drop)
    files = [
        SourceFile(SOURCE, did, "keluarga", "keluarga.csv.gz", "household", KELUARGA_COLUMNS, keluarga,
                   "id_keluarga_p3ke", csv=LAYOUT),
        SourceFile(SOURCE, did, "individu", "individu.csv.gz", "person", INDIVIDU_COLUMNS, individu,
                   "id_individu_p3ke", "id_keluarga_p3ke", csv=LAYOUT),
    ]  # fmt: skip
    return Drop(SOURCE, did, "full", f"{calendar.p3ke_drop.isoformat()}T09:30:00+07:00", files, labels)


def _programmes(rng: np.random.Generator, national: np.ndarray) -> np.ndarray:
    """Programmes received, ``;``-joined: likely for the poorest, far from certain, sometimes none at all."""
    n = len(national)
    got = {
        "PKH": rng.random(n) < np.where(national < 0.1, 0.55, 0.3),
        "BPNT": rng.random(n) < np.where(national < 0.1, 0.6, 0.4),
        "PBI": rng.random(n) < np.where(national < 0.1, 0.75, 0.6),
        "BLT-DD": rng.random(n) < 0.08,
    }
    return np.array([";".join(p for p, flags in got.items() if flags[i]) for i in range(n)], dtype=object)


def _relationship_text(rng: np.random.Generator, members: pd.DataFrame) -> np.ndarray:
    """P3KE writes relationships as words; a spouse is ``Istri`` or ``Suami``, a parent ``Orang Tua`` or ``Mertua``."""
    rel = members["rel"].to_numpy()
    female = members["sex"].to_numpy() == "P"
    return np.select(
        [
            rel == HEAD,
            rel == SPOUSE,
            rel == CHILD,
            rel == CHILD_IN_LAW,
            rel == GRANDCHILD,
            rel == PARENT,
            rel == RELATIVE,
            rel == OTHER,
        ],
        [
            "Kepala Keluarga",
            np.where(female, "Istri", "Suami"),
            "Anak",
            "Menantu",
            "Cucu",
            np.where(rng.random(len(rel)) < 0.6, "Orang Tua", "Mertua"),
            "Famili Lain",
            "Lainnya",
        ],
        default="Lainnya",
    ).astype(object)


def _occupations(rng: np.random.Generator, members: pd.DataFrame, t: int, noise: NoiseConfig) -> np.ndarray:
    n = len(members)
    age = (t - members["birth"].to_numpy()) / 365.25
    works = members["works"].to_numpy()
    female = members["sex"].to_numpy() == "P"
    jobs = np.array(
        ["PETANI/PEKEBUN", "BURUH HARIAN LEPAS", "BURUH TANI/PERKEBUNAN", "PEDAGANG", "WIRASWASTA",
         "NELAYAN/PERIKANAN", "KARYAWAN SWASTA", "SOPIR", "TUKANG BATU"],
        dtype=object,
    )  # fmt: skip
    job = jobs[rng.choice(len(jobs), size=n, p=[0.3, 0.25, 0.15, 0.08, 0.08, 0.05, 0.04, 0.03, 0.02])]
    out = np.select(
        [age < 5, age < 19, works, female & (age < 65)],
        ["BELUM/TIDAK BEKERJA", "PELAJAR/MAHASISWA", job, "MENGURUS RUMAH TANGGA"],
        default="BELUM/TIDAK BEKERJA",
    ).astype(object)
    out[rng.random(n) < noise.empty_optional] = ""
    return out
