"""What an agency saw on the day it surveyed: the households that existed then, their KK and address of that day,
and the members alive then — read from the timeline, so stale records are stale in exactly the right way."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sejahtera.generate import family_records
from sejahtera.generate.config import NoiseConfig
from sejahtera.generate.days import day
from sejahtera.generate.life import Timeline


@dataclass
class AgencyView:
    households: pd.DataFrame
    """One row per household seen: ``rec_hh`` (true household then), ``kk``, ``village``, ``street``, ``rt``,
    ``rw``, ``welfare``, ``size`` (members listed), ``urban``, ``tradition``."""
    members: pd.DataFrame
    """One row per member listed: ``pid``, ``rec_hh``, ``rel``, ``sex``, ``birth``, ``name``, ``nik``,
    ``birthplace``, ``disabled``, ``education``, ``works``, ``marital``, ``member_no`` (1-based in household),
    ``hard_identity`` (written with a blank NIK and a respelt name: :mod:`sejahtera.generate.family_records`)."""


def existing_households(timeline: Timeline, t: int) -> np.ndarray:
    """Households with at least one living member on day ``t``."""
    alive = timeline.alive_on(t)
    return np.unique(timeline.household_at(t)[alive])


def agency_view(
    timeline: Timeline,
    t: int,
    covered: np.ndarray,
    *,
    rng: np.random.Generator | None = None,
    noise: NoiseConfig | None = None,
) -> AgencyView:
    """The ``covered`` households as they were on day ``t``, ordered by village (as agencies export them); with
    ``rng`` and ``noise``, written down as agencies do (:mod:`sejahtera.generate.family_records`)."""
    hh_table = timeline.households.set_index("hh")
    version = timeline.version_at(covered, np.full(covered.size, t))
    v = timeline.versions.iloc[version]
    households = pd.DataFrame(
        {
            "rec_hh": covered,
            "kk": v["kk"].to_numpy(),
            "village": v["village"].to_numpy(),
            "street": v["street"].to_numpy(),
            "rt": v["rt"].to_numpy(),
            "rw": v["rw"].to_numpy(),
            "welfare": hh_table.loc[covered, "welfare"].to_numpy(),
            "urban": hh_table.loc[covered, "urban"].to_numpy(),
            "tradition": hh_table.loc[covered, "tradition"].to_numpy(),
        }
    )
    households = households.sort_values(["village", "rec_hh"], kind="stable").reset_index(drop=True)

    people = timeline.people
    hh_t = timeline.household_at(t)
    listed = timeline.alive_on(t) & np.isin(hh_t, covered)
    members = people.loc[
        listed,
        ["pid", "sex", "birth", "name", "nik", "birthplace", "disabled", "education", "works", "marital"],
    ].copy()
    members.insert(1, "rec_hh", hh_t[listed])
    members.insert(2, "rel", timeline.relationship_at(t)[listed])
    position = pd.Series(np.arange(len(households)), index=households["rec_hh"].to_numpy())
    members["_hh_order"] = position.loc[members["rec_hh"].to_numpy()].to_numpy()
    members = members.sort_values(["_hh_order", "rel", "birth"], kind="stable").drop(columns="_hh_order")
    members = members.reset_index(drop=True)
    members["member_no"] = members.groupby("rec_hh", sort=False).cumcount() + 1
    households["size"] = households["rec_hh"].map(members["rec_hh"].value_counts()).fillna(0).astype(int)
    if rng is not None and noise is not None:
        households, members = family_records.reshape(
            rng,
            households,
            members,
            people["split_day"].to_numpy(),
            people["role"].to_numpy() == "child_in_law",
            noise,
        )
    else:
        members["hard_identity"] = False
    return AgencyView(households=households, members=members)


def covered_by_score(timeline: Timeline, t: int, score: str, share: float) -> np.ndarray:
    """Households existing on day ``t`` whose noisy welfare ``score`` is in the lowest ``share`` (fuzzy targeting)."""
    existing = existing_households(timeline, t)
    values = timeline.households.set_index("hh").loc[existing, score].to_numpy()
    if existing.size == 0:
        return existing
    return existing[values <= np.quantile(values, share)]


def stale_labels(timeline: Timeline, rec_hh: np.ndarray, t: int) -> pd.DataFrame:
    """For households as recorded on day ``t``: did they move or get a new KK since (``moved``, ``kk_reissued``)?"""
    v = timeline.versions
    later = v[(v["valid_from"] > t) & (v["valid_from"] <= day(timeline.calendar.as_of))]
    moved = set(later.loc[later["reason"] == "moved", "hh"])
    reissued = set(later.loc[later["reason"] == "kk_reissued", "hh"])
    return pd.DataFrame(
        {
            "moved": [h in moved for h in rec_hh],
            "kk_reissued": [h in reissued for h in rec_hh],
        }
    )


class IdMaker:
    """Opaque, unique record ids in one agency's style: a prefix and zero-padded numbers from a random base."""

    def __init__(self, rng: np.random.Generator, prefix: str, width: int) -> None:
        self.prefix = prefix
        self.width = width
        self.next = int(rng.integers(10 ** (width - 2), 5 * 10 ** (width - 2)))

    def take(self, rng: np.random.Generator, k: int) -> np.ndarray:
        """``k`` new ids, handed out in a shuffled order so ids do not follow the file's row order."""
        numbers = self.next + rng.permutation(k)
        self.next += k
        return np.array([f"{self.prefix}{x:0{self.width}d}" for x in numbers], dtype=object)

    def one(self) -> str:
        self.next += 1
        return f"{self.prefix}{self.next - 1:0{self.width}d}"


class IdMakers:
    """One :class:`IdMaker` per kind of record id, kept for the whole landing zone: every chunk of households
    continues the numbering of the one before, so ids stay unique in a file written chunk by chunk."""

    def __init__(self) -> None:
        self._makers: dict[str, IdMaker] = {}

    def get(self, rng: np.random.Generator, key: str, prefix: str, width: int) -> IdMaker:
        """The id maker for ``key``, made (drawing its random base from ``rng``) the first time it is asked for."""
        if key not in self._makers:
            self._makers[key] = IdMaker(rng, prefix, width)
        return self._makers[key]
