"""Kemensos DTKS export: the poorer ~40 % of families as local operators recorded them, with programme flags.

``;``-separated CSV, UTF-8 with a BOM, DD-MM-YYYY dates (contract section 2). Programme flags carry realistic
targeting errors: many eligible poor families receive nothing, some better-off ones receive.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sejahtera.generate import defects, record_noise
from sejahtera.generate.config import Calendar, NoiseConfig, drop_id
from sejahtera.generate.days import day, format_days
from sejahtera.generate.defects import Breakable
from sejahtera.generate.files import CsvLayout, Drop, SourceFile
from sejahtera.generate.life import Timeline
from sejahtera.generate.views import IdMakers, agency_view, covered_by_score

SOURCE = "dtks"
COVERAGE = 0.40
DATE_STYLE = "%d-%m-%Y"
LAYOUT = CsvLayout(delimiter=";", bom=True)
KELUARGA_COLUMNS = (
    "ID_KELUARGA", "NO_KK", "KODE_WILAYAH", "ALAMAT", "RT", "RW",
    "PENERIMA_PKH", "PENERIMA_BPNT", "PENERIMA_PBI", "TGL_UPDATE",
)  # fmt: skip
ANGGOTA_COLUMNS = (
    "ID_ART", "ID_KELUARGA", "NIK", "NAMA", "JNS_KEL", "TMP_LAHIR", "TGL_LAHIR", "HUB_KEL", "DISABILITAS",
)  # fmt: skip
BAD_FLAGS = ("YA", "N", "1", "0", "-")
KELUARGA_BREAKS = Breakable(
    record_id="ID_KELUARGA",
    is_household_file=True,
    date_style=DATE_STYLE,
    dates=("TGL_UPDATE",),
    regions=("KODE_WILAYAH",),
    codes={"PENERIMA_PKH": BAD_FLAGS, "PENERIMA_BPNT": BAD_FLAGS, "PENERIMA_PBI": BAD_FLAGS},
    texts=("ALAMAT",),
)
ANGGOTA_BREAKS = Breakable(
    record_id="ID_ART",
    household_ref="ID_KELUARGA",
    date_style=DATE_STYLE,
    birth_dates=("TGL_LAHIR",),
    codes={
        "JNS_KEL": ("WANITA", "PRIA", "X", "LK"),
        "HUB_KEL": ("0", "9", "10", "11"),
        "DISABILITAS": BAD_FLAGS,
    },
    texts=("NAMA", "TMP_LAHIR"),
)


def build(
    rng: np.random.Generator, timeline: Timeline, noise: NoiseConfig, calendar: Calendar, ids: IdMakers
) -> Drop:
    """DTKS's drop for the households of ``timeline``; ``ids`` continues the record ids of earlier chunks."""
    t = day(calendar.dtks_view)
    view = agency_view(
        timeline, t, covered_by_score(timeline, t, "score_dtks", COVERAGE), rng=rng, noise=noise
    )
    hh, members = view.households, view.members
    family_ids = ids.get(rng, "dtks.ID_KELUARGA", "", 10)
    person_ids = ids.get(rng, "dtks.ID_ART", "", 12)
    hh["_uid"] = np.arange(len(hh))
    hh["ID_KELUARGA"] = family_ids.take(rng, len(hh))
    labels = record_noise.household_noise(rng, hh, noise)
    n = len(hh)
    rank = hh["welfare"].rank(pct=True).to_numpy() if n else np.array([])
    # Targeting errors: the poorest receive often but far from always; others sometimes do.
    pkh = rng.random(n) < np.where(rank < 0.5, 0.55, 0.12)
    bpnt = rng.random(n) < np.where(rank < 0.6, 0.6, 0.15)
    pbi = rng.random(n) < np.where(rank < 0.7, 0.7, 0.3)
    keluarga = pd.DataFrame(
        {
            "_uid": hh["_uid"].to_numpy(),
            "_rec_hh": hh["rec_hh"].to_numpy(),
            "ID_KELUARGA": hh["ID_KELUARGA"].to_numpy(),
            "NO_KK": hh["kk"].to_numpy(),
            "KODE_WILAYAH": hh["village"].to_numpy(),
            "ALAMAT": _addresses(rng, hh["street"].to_numpy(dtype=object), noise),
            "RT": _rt_rw(rng, hh["rt"].to_numpy(), noise),
            "RW": _rt_rw(rng, hh["rw"].to_numpy(), noise),
            "PENERIMA_PKH": np.where(pkh, "Y", "T"),
            "PENERIMA_BPNT": np.where(bpnt, "Y", "T"),
            "PENERIMA_PBI": np.where(pbi, "Y", "T"),
            "TGL_UPDATE": format_days(t - rng.integers(0, 700, n), DATE_STYLE),
        }
    )
    members["_uid"] = np.arange(len(members)) + len(hh)
    members["_rec_hh"] = members["rec_hh"]
    labels += record_noise.person_noise(rng, members, noise, calendar.dtks_view)
    family_of = pd.Series(hh["ID_KELUARGA"].to_numpy(), index=hh["rec_hh"].to_numpy())
    birthplace = members["birthplace"].to_numpy(dtype=object).copy()
    birthplace[rng.random(len(members)) < noise.empty_optional] = ""
    anggota = pd.DataFrame(
        {
            "_uid": members["_uid"].to_numpy(),
            "_pid": members["pid"].to_numpy(),
            "_rec_hh": members["rec_hh"].to_numpy(),
            "ID_ART": person_ids.take(rng, len(members)),
            "ID_KELUARGA": family_of.loc[members["rec_hh"].to_numpy()].to_numpy(),
            "NIK": members["nik"].to_numpy(),
            "NAMA": members["name"].to_numpy(),
            "JNS_KEL": np.where(members["sex"].to_numpy() == "L", "LAKI-LAKI", "PEREMPUAN"),
            "TMP_LAHIR": birthplace,
            "TGL_LAHIR": format_days(members["birth"].to_numpy(), DATE_STYLE),
            "HUB_KEL": members["rel"].astype(str).to_numpy(),
            "DISABILITAS": np.where(members["disabled"].to_numpy(), "Y", "T"),
        }
    )
    keluarga = defects.inject(rng, keluarga, KELUARGA_BREAKS, noise)
    anggota = defects.inject(rng, anggota, ANGGOTA_BREAKS, noise, new_household_id=family_ids.one)
    defects.cascade_members(anggota, "ID_KELUARGA", defects.accepted_household_ids(keluarga, "ID_KELUARGA"))
    did = drop_id(calendar.dtks_drop)
    files = [
        SourceFile(
            SOURCE,
            did,
            "keluarga",
            "keluarga.csv",
            "household",
            KELUARGA_COLUMNS,
            keluarga,
            "ID_KELUARGA",
            csv=LAYOUT,
        ),
        SourceFile(
            SOURCE,
            did,
            "anggota",
            "anggota.csv",
            "person",
            ANGGOTA_COLUMNS,
            anggota,
            "ID_ART",
            "ID_KELUARGA",
            csv=LAYOUT,
        ),
    ]
    return Drop(SOURCE, did, "full", f"{calendar.dtks_drop.isoformat()}T18:00:00+07:00", files, labels)


def _addresses(rng: np.random.Generator, streets: np.ndarray, noise: NoiseConfig) -> np.ndarray:
    """Street addresses; a few typed over two lines inside the quoted field, a few left empty."""
    out = streets.copy()
    u = rng.random(len(out))
    broken = u < noise.quoted_line_break
    out[broken] = [s.replace(" NO. ", "\nNO. ") if " NO. " in s else s + "\nRT -" for s in out[broken]]
    out[(u >= noise.quoted_line_break) & (u < noise.quoted_line_break + noise.empty_optional)] = ""
    return out


def _rt_rw(rng: np.random.Generator, values: np.ndarray, noise: NoiseConfig) -> np.ndarray:
    """RT/RW numbers as written: ``3`` mostly, ``003`` by some operators."""
    plain = pd.Series(values).astype(str)
    padded = plain.str.zfill(3)
    return np.where(rng.random(len(values)) < noise.zero_padded_rt_rw, padded, plain).astype(object)
