"""How agencies really write families down: household records that load but do not mirror one Dukcapil family.

Applied to an agency's view of the day it surveyed (:func:`sejahtera.generate.views.agency_view`), before record
noise. Three habits, each at its :class:`~sejahtera.generate.config.NoiseConfig` rate:

* ``partial_listing``: a record of three or more members lists only some of them (the head is always listed);
* ``two_families_one_record``: two families of one village sharing a house are surveyed as one household: the
  second family's members are listed under the first's household id as relatives, its own record is not made;
* ``split_spouse_identity``: the in-law of a family that splits after the survey is marked (``hard_identity``)
  so that :func:`sejahtera.generate.record_noise.person_noise` writes their record with a blank NIK and another
  spelling of the name.

Every listed member keeps their true person; the household a record was made for (``rec_hh``) is the first
family's, which is what the ground truth says it describes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sejahtera.generate.config import NoiseConfig
from sejahtera.generate.days import NO_DAY
from sejahtera.generate.population import HEAD, RELATIVE


def reshape(
    rng: np.random.Generator,
    households: pd.DataFrame,
    members: pd.DataFrame,
    split_day: np.ndarray,
    in_law: np.ndarray,
    noise: NoiseConfig,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The view's ``households`` and ``members`` with the habits above applied (new frames, same columns plus
    ``hard_identity`` on members). ``split_day`` and ``in_law`` are indexed by person id."""
    households = households.copy()
    members = members.copy()
    if noise.two_families_one_record > 0 and len(households) > 1:
        households, members = _two_families_one_record(
            rng, households, members, noise.two_families_one_record
        )
    if noise.partial_listing > 0:
        members = _partial_listing(rng, members, noise.partial_listing)
    pid = members["pid"].to_numpy()
    members["hard_identity"] = (
        in_law[pid] & (split_day[pid] != NO_DAY) & (rng.random(len(members)) < noise.split_spouse_identity)
        if noise.split_spouse_identity > 0
        else np.zeros(len(members), dtype=bool)
    )
    members = members.reset_index(drop=True)
    members["member_no"] = members.groupby("rec_hh", sort=False).cumcount() + 1
    households["size"] = households["rec_hh"].map(members["rec_hh"].value_counts()).fillna(0).astype(int)
    return households.reset_index(drop=True), members


def _two_families_one_record(
    rng: np.random.Generator, households: pd.DataFrame, members: pd.DataFrame, rate: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Households are ordered by village: a chosen record absorbs the next one when it is of the same village."""
    village = households["village"].to_numpy()
    rec = households["rec_hh"].to_numpy()
    chosen = np.flatnonzero(rng.random(len(households) - 1) < rate)
    absorbed: dict[int, int] = {}
    for i in chosen:
        if village[i] == village[i + 1] and rec[i] not in absorbed and rec[i + 1] not in absorbed.values():
            absorbed[int(rec[i + 1])] = int(rec[i])
    if not absorbed:
        return households, members
    moved = members["rec_hh"].isin(list(absorbed)).to_numpy()
    members.loc[moved, "rel"] = RELATIVE
    members.loc[moved, "rec_hh"] = members.loc[moved, "rec_hh"].map(absorbed).to_numpy()
    # Keep each record's members together, the absorbed family after the host's.
    order = pd.Series(np.arange(len(households)), index=rec)
    members["_order"] = order.loc[members["rec_hh"].to_numpy()].to_numpy()
    members["_second"] = moved
    members = members.sort_values(["_order", "_second"], kind="stable").drop(columns=["_order", "_second"])
    households = households[~households["rec_hh"].isin(list(absorbed))]
    return households, members


def _partial_listing(rng: np.random.Generator, members: pd.DataFrame, rate: float) -> pd.DataFrame:
    """For chosen records of three or more, each non-head member is left out with even chance."""
    size = members.groupby("rec_hh")["pid"].transform("size").to_numpy()
    records = members["rec_hh"].unique()
    chosen = set(records[rng.random(records.size) < rate])
    drop = (
        members["rec_hh"].isin(chosen).to_numpy()
        & (size >= 3)
        & (members["rel"].to_numpy() != HEAD)
        & (rng.random(len(members)) < 0.5)
    )
    return members[~drop]
