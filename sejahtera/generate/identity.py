"""NIK and KK numbers that obey the rule of ``sejahtera/rules/nik.py``, one per person and per family card.

NIK ``PP KK CC DD MM YY SSSS``: the district of FIRST registration (where the person was born or first
registered: usually the family's district, for some people another one, for a few a district code the 2025
decree retired), the birth date (women add 40 to the day), a serial unique within that district and date.
A small share of NIKs encode a birth date other than the real one (Dukcapil never corrects an NIK).

KK ``PP KK CC DD MM YY SSSS``: the issuing district, the issue date and a serial. A family gets a new KK when it
moves, when a couple splits off, and sometimes after the head's death.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sejahtera.generate import regions
from sejahtera.generate.config import NoiseConfig
from sejahtera.generate.days import day, ymd
from sejahtera.generate.life import Timeline
from sejahtera.generate.serials import SerialBook

MIGRANT_SHARE = 0.14
"""Share of people born before the story whose NIK was issued in another district than their family's."""
RETIRED_PREFIX_SHARE = 0.005
"""Share of people born before the 2025 decree whose NIK carries a district code that decree retired."""
UNKNOWN_NIK_SERIALS = 5000
"""NIK serials from here to 9999 are never given to a person: :func:`random_unknown_niks` draws from them, so an
event's unknown NIK is unknown without holding every NIK of the country in memory."""


class IdentitySerials:
    """The NIK and KK serial books of one landing zone, shared by all its chunks of households."""

    def __init__(self) -> None:
        self.nik = SerialBook("people", UNKNOWN_NIK_SERIALS - 1)
        self.kk = SerialBook("family cards", 9999)


def assign_identity(
    rng: np.random.Generator,
    timeline: Timeline,
    noise: NoiseConfig,
    serials: IdentitySerials | None = None,
) -> None:
    """Add ``nik`` and ``birthplace`` to ``timeline.people`` and ``kk`` (plus ``street``, ``rt``, ``rw``) to
    ``timeline.versions``; ``serials`` keeps NIKs and KKs unique across the chunks of one landing zone."""
    serials = serials or IdentitySerials()
    geo = regions.geography()
    people = timeline.people
    n = len(people)
    start = day(timeline.calendar.life_start)
    birth = people["birth"].to_numpy()

    # District of first registration.
    first_village = timeline.versions.loc[
        timeline.versions["valid_from"] == timeline.versions["valid_from"].min()
    ]
    origin_village = pd.Series(first_village["village"].to_numpy(), index=first_village["hh"].to_numpy())
    hh_at_birth = timeline.household_at(birth)
    village_at_birth = timeline.versions["village"].to_numpy()[timeline.version_at(hh_at_birth, birth)]
    district = pd.Series(village_at_birth).str[:6].to_numpy(dtype=object)
    old = birth < start
    district[old] = origin_village.reindex(people["hh0"].to_numpy()[old]).str[:6].to_numpy(dtype=object)
    draw = rng.random(n)
    migrant = old & (draw < MIGRANT_SHARE)
    district[migrant] = regions.draw_districts(rng, int(migrant.sum()))
    retired = old & (draw >= MIGRANT_SHARE) & (draw < MIGRANT_SHARE + RETIRED_PREFIX_SHARE)
    district[retired] = geo.retired_districts[
        rng.integers(len(geo.retired_districts), size=int(retired.sum()))
    ]

    # Date part: the birth date, except for a few NIKs that encode another (plausible) one.
    y, m, d = ymd(birth)
    off = rng.random(n) < noise.nik_date_hint_off
    d = np.where(off, np.where(rng.random(n) < 0.5, 1, np.minimum(d + 1, 28)), d)
    m = np.where(off & (rng.random(n) < 0.5), np.where(rng.random(n) < 0.5, 1, 7), m)
    day_code = d + np.where(people["sex"].to_numpy() == "P", 40, 0)
    stem = (
        pd.Series(district)
        + pd.Series(day_code).astype(str).str.zfill(2)
        + pd.Series(m).astype(str).str.zfill(2)
        + pd.Series(y % 100).astype(str).str.zfill(2)
    )
    people["nik"] = (stem + serials.nik.serials(rng, stem)).to_numpy(dtype=object)
    people["registered_in"] = district
    people["birthplace"] = (
        pd.Series(district).str[:4].map(geo.regency_names).fillna("").to_numpy(dtype=object)
    )

    v = timeline.versions
    first = v["reason"].to_numpy() == "first"
    issued = v["valid_from"].to_numpy().copy()
    issued[first] = rng.integers(day(pd.Timestamp("2000-01-01").date()), start, int(first.sum()))
    iy, im, idd = ymd(issued)
    kk_stem = (
        v["village"].str[:6]
        + pd.Series(idd).astype(str).str.zfill(2)
        + pd.Series(im).astype(str).str.zfill(2)
        + pd.Series(iy % 100).astype(str).str.zfill(2)
    )
    v["kk"] = (kk_stem + serials.kk.serials(rng, kk_stem)).to_numpy(dtype=object)
    v["street"] = _streets(rng, v["village"].to_numpy())
    v["rt"] = rng.integers(1, 16, len(v))
    v["rw"] = rng.integers(1, 11, len(v))


STREETS = [
    "MAWAR",
    "MELATI",
    "KENANGA",
    "ANGGREK",
    "DAHLIA",
    "CEMPAKA",
    "FLAMBOYAN",
    "SEROJA",
    "TERATAI",
    "MERDEKA",
    "PAHLAWAN",
    "SUDIRMAN",
    "DIPONEGORO",
    "KARTINI",
    "GAJAH",
    "MADA",
    "HAYAM",
    "WURUK",
    "PEMUDA",
    "VETERAN",
    "SILIWANGI",
    "PANGERAN",
    "ANTASARI",
    "RAYA",
    "MASJID",
    "PASAR",
    "SEKOLAH",
]
HAMLETS = [
    "KRAJAN",
    "KIDUL",
    "LOR",
    "WETAN",
    "KULON",
    "TENGAH",
    "BARU",
    "SUKAMAJU",
    "SUKARAMI",
    "MEKARSARI",
    "SUKAJAYA",
    "TANJUNG",
]


def _streets(rng: np.random.Generator, villages: np.ndarray) -> np.ndarray:
    """Street or hamlet part of an address: towns have streets and house numbers, villages have hamlets."""
    n = len(villages)
    urban = pd.Series(villages).str[6].to_numpy() == "1"
    street = np.asarray(STREETS, dtype=object)[rng.integers(len(STREETS), size=n)]
    hamlet = np.asarray(HAMLETS, dtype=object)[rng.integers(len(HAMLETS), size=n)]
    number = pd.Series(rng.integers(1, 200, n)).astype(str).to_numpy(dtype=object)
    gang = rng.random(n) < 0.3
    town = np.where(gang, "GG. " + street + " NO. " + number, "JL. " + street + " NO. " + number)
    rural = np.where(rng.random(n) < 0.6, "DUSUN " + hamlet, "KP. " + hamlet)
    return np.where(urban | (rng.random(n) < 0.25), town, rural)


def random_unknown_niks(rng: np.random.Generator, k: int, known: set[str]) -> list[str]:
    """Well-formed NIKs that no person has (for events about people Dukcapil does not know): their serials are
    in the range no person gets; ``known`` holds the ones drawn before, so none is drawn twice."""
    districts = regions.geography().districts
    out: list[str] = []
    while len(out) < k:
        nik = (
            f"{districts[int(rng.integers(len(districts)))]}{int(rng.integers(1, 29)) + 40 * int(rng.integers(2)):02d}"
            f"{int(rng.integers(1, 13)):02d}{int(rng.integers(0, 100)):02d}{int(rng.integers(UNKNOWN_NIK_SERIALS, 10000)):04d}"
        )
        if nik not in known:
            out.append(nik)
            known.add(nik)
    return out
