"""BPS Regsosek: most households (~90 %, regardless of welfare) with their housing, utilities and assets.

Typed Parquet (contract section 2). The survey is the oldest of the agency views: everything that happened
since (moves, new KKs, splits, deaths, births) is missing from it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sejahtera.generate import defects, housing, record_noise
from sejahtera.generate.config import Calendar, NoiseConfig, drop_id
from sejahtera.generate.days import day
from sejahtera.generate.defects import Breakable
from sejahtera.generate.files import Drop, SourceFile
from sejahtera.generate.life import Timeline
from sejahtera.generate.views import IdMakers, agency_view, existing_households
from sejahtera.sources.arrow import arrow_schema
from sejahtera.sources.regsosek import INDIVIDU, RUMAH_TANGGA

SOURCE = "regsosek"
COVERAGE = 0.90
RUMAH_TANGGA_SCHEMA = arrow_schema(RUMAH_TANGGA)
INDIVIDU_SCHEMA = arrow_schema(INDIVIDU)
"""The files are typed as declared (``sejahtera/sources/regsosek.py``), as BPS's export tool types them."""
RUMAH_TANGGA_BREAKS = Breakable(
    record_id="id_rt",
    is_household_file=True,
    regions=("kode_desa",),
    codes={
        "jenis_lantai": (0, 10, 99),
        "jenis_dinding": (0, 8, 99),
        "jenis_atap": (0, 9, 99),
        "sumber_air_minum": (0, 12, 99),
        "fasilitas_bab": (0, 5, 9),
        "sumber_penerangan": (0, 5, 9),
        "bahan_bakar_memasak": (0, 9, 99),
        "status_kepemilikan_rumah": (0, 6, 9),
    },
    texts=("alamat",),
)
INDIVIDU_BREAKS = Breakable(
    record_id="id_art",
    household_ref="id_rt",
    birth_dates=("tanggal_lahir",),
    codes={
        "jenis_kelamin": (0, 3, 9),
        "hubungan_krt": (0, 9, 99),
        "status_kawin": (0, 5, 9),
        "pendidikan_tertinggi": (7, 9, 99),
    },
    texts=("nama",),
)


def build(
    rng: np.random.Generator, timeline: Timeline, noise: NoiseConfig, calendar: Calendar, ids: IdMakers
) -> Drop:
    """Regsosek's drop for the households of ``timeline``; ``ids`` continues the record ids of earlier chunks."""
    t = day(calendar.regsosek_view)
    existing = existing_households(timeline, t)
    covered = existing[
        timeline.households.set_index("hh").loc[existing, "draw_regsosek"].to_numpy() < COVERAGE
    ]
    view = agency_view(timeline, t, covered, rng=rng, noise=noise)
    hh, members = view.households, view.members
    household_ids = ids.get(rng, "regsosek.id_rt", "RS", 10)
    n = len(hh)
    hh["_uid"] = np.arange(n)
    hh["id_rt"] = household_ids.take(rng, n)
    labels = record_noise.household_noise(rng, hh, noise)
    variables = housing.housing_variables(
        rng, hh["welfare"].to_numpy(), hh["size"].to_numpy(), hh["urban"].to_numpy()
    )
    rumah_tangga = pd.DataFrame(
        {
            "_uid": hh["_uid"].to_numpy(),
            "_rec_hh": hh["rec_hh"].to_numpy(),
            "id_rt": hh["id_rt"].to_numpy(),
            "no_kk": hh["kk"].to_numpy(),
            "kode_desa": hh["village"].to_numpy(),
            "alamat": _with_empty(rng, hh["street"].to_numpy(dtype=object), noise.empty_optional),
            "jumlah_art": hh["size"].to_numpy(dtype=np.int32),
        }
    )
    for column in RUMAH_TANGGA_SCHEMA.names:
        if column in variables:
            rumah_tangga[column] = variables[column].to_numpy()
    rumah_tangga["tanggal_pencacahan"] = t + rng.integers(0, 30, n)
    rumah_tangga = rumah_tangga[["_uid", "_rec_hh", *RUMAH_TANGGA_SCHEMA.names]]

    members["_uid"] = np.arange(len(members)) + n
    members["_rec_hh"] = members["rec_hh"]
    labels += record_noise.person_noise(rng, members, noise, calendar.regsosek_view)
    id_rt = (
        pd.Series(hh["id_rt"].to_numpy(), index=hh["rec_hh"].to_numpy())
        .loc[members["rec_hh"].to_numpy()]
        .to_numpy()
    )
    individu = pd.DataFrame(
        {
            "_uid": members["_uid"].to_numpy(),
            "_pid": members["pid"].to_numpy(),
            "_rec_hh": members["rec_hh"].to_numpy(),
            "id_art": id_rt + pd.Series(members["member_no"]).astype(str).str.zfill(2).to_numpy(dtype=object),
            "id_rt": id_rt,
            "nik": members["nik"].to_numpy(),
            "nama": members["name"].to_numpy(),
            "jenis_kelamin": np.where(members["sex"].to_numpy() == "L", 1, 2).astype(np.int32),
            "tanggal_lahir": members["birth"].to_numpy(),
            "hubungan_krt": members["rel"].to_numpy(dtype=np.int32),
            "status_kawin": members["marital"].to_numpy(dtype=np.int32),
            "pendidikan_tertinggi": members["education"].to_numpy(dtype=np.int32),
            "bekerja": members["works"].to_numpy(dtype=bool),
            "disabilitas": members["disabled"].to_numpy(dtype=bool),
        }
    )
    rumah_tangga = defects.inject(rng, rumah_tangga, RUMAH_TANGGA_BREAKS, noise)
    individu = defects.inject(rng, individu, INDIVIDU_BREAKS, noise, new_household_id=household_ids.one)
    defects.cascade_members(individu, "id_rt", defects.accepted_household_ids(rumah_tangga, "id_rt"))
    did = drop_id(calendar.regsosek_drop)
    files = [
        SourceFile(SOURCE, did, "rumah_tangga", "rumah_tangga.parquet", "household", tuple(RUMAH_TANGGA_SCHEMA.names),
                   rumah_tangga, "id_rt", schema=RUMAH_TANGGA_SCHEMA),
        SourceFile(SOURCE, did, "individu", "individu.parquet", "person", tuple(INDIVIDU_SCHEMA.names),
                   individu, "id_art", "id_rt", schema=INDIVIDU_SCHEMA),
    ]  # fmt: skip
    return Drop(SOURCE, did, "full", f"{calendar.regsosek_drop.isoformat()}T10:00:00+07:00", files, labels)


def _with_empty(rng: np.random.Generator, values: np.ndarray, rate: float) -> np.ndarray:
    out = values.copy()
    out[rng.random(len(out)) < rate] = None
    return out
