"""Life between the Regsosek survey and ``as_of``: deaths, moves, new family cards, family splits and births.

The result is a :class:`Timeline`, from which the state of the country on any day can be read: who lives, in
which household, under which KK number, in which village. Every agency's view, Dukcapil's full and its daily
events are read from this one timeline, so they can never contradict the ground truth.

Two phases. Before Dukcapil's full (about four years) life runs at realistic yearly rates; the agencies, which
surveyed at the start of that period, do not see it (stale KK and addresses, dead people listed, split families
still listed together). In the few days of the Dukcapil deltas life runs at a raised pace so that even a small
landing zone has every kind of event (at least one of each per delta), and every event touches different
people, so the deltas are unambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sejahtera.generate import names, regions
from sejahtera.generate.config import Calendar, FamilyConfig, NoiseConfig
from sejahtera.generate.days import NO_DAY, day
from sejahtera.generate.population import CHILD, HEAD, PARENT, SPOUSE, Population

FIRST_DAY = -100_000
"""Valid-from day of a household's first KK and address (long before anyone in the story)."""
_KEY_SHIFT = 1 << 19
_DAY_OFFSET = 200_000

JOINED_TYPES = ("couple", "nuclear", "single_parent", "with_parents")
"""Families a widowed parent may join (as the head's parent): not the ones that split or already hold parents
in their three generations."""

# Raised pace during the Dukcapil deltas (per delta drop, shares of living persons or of households).
DELTA_DEATHS = 0.0015
DELTA_BIRTHS = 0.002
DELTA_MOVES = 0.001
DELTA_SPLITS = 0.0006
DELTA_CORRECTIONS = 0.002


@dataclass
class Timeline:
    """Everything that happened, as tables; ``state on day t`` is read with :meth:`household_at` and :meth:`version_at`.

    ``people``: the population's people plus LAHIR babies, with ``death`` (day or NO_DAY), ``hh1``/``rel1``/
    ``split_day`` (the household a person split into, or -1), ``delta_birth`` (born in a Dukcapil delta).
    ``households``: origin families plus split-off ones (``parent_hh``, ``created``).
    ``versions``: one row per (household, KK, address) period: ``hh``, ``valid_from``, ``village``, ``reason``
    (``first``, ``moved``, ``kk_reissued``, ``split``), ``street``, ``rt``, ``rw``; ``kk`` is added by identity.
    ``corrections``: UBAH_DATA events: ``pid``, ``day``, ``field`` (``name``, ``birth``, ``birthplace``) — the
    full shows a wrong or empty value, the event sets the true one.
    """

    people: pd.DataFrame
    households: pd.DataFrame
    versions: pd.DataFrame
    corrections: pd.DataFrame
    calendar: Calendar

    def household_at(self, t: int | np.ndarray) -> np.ndarray:
        """Each person's household on day ``t`` (the split-off one once the split happened)."""
        p = self.people
        return np.where(p["split_day"].to_numpy() <= t, p["hh1"].to_numpy(), p["hh0"].to_numpy())

    def relationship_at(self, t: int | np.ndarray) -> np.ndarray:
        p = self.people
        return np.where(p["split_day"].to_numpy() <= t, p["rel1"].to_numpy(), p["rel0"].to_numpy())

    def alive_on(self, t: int | np.ndarray) -> np.ndarray:
        """Born on or before ``t`` and not dead by then."""
        p = self.people
        return (p["birth"].to_numpy() <= t) & (p["death"].to_numpy() > t)

    def version_at(self, hh: np.ndarray, t: int | np.ndarray) -> np.ndarray:
        """Row index into ``versions`` of each household's KK and address on day ``t``."""
        v = self.versions
        keys = v["hh"].to_numpy(np.int64) * _KEY_SHIFT + (v["valid_from"].to_numpy(np.int64) + _DAY_OFFSET)
        query = np.asarray(hh, dtype=np.int64) * _KEY_SHIFT + (np.asarray(t, dtype=np.int64) + _DAY_OFFSET)
        return np.searchsorted(keys, query, side="right") - 1

    def current_household(self) -> np.ndarray:
        """Each person's household now, or at death for the dead."""
        last = np.minimum(self.people["death"].to_numpy(), day(self.calendar.as_of))
        return self.household_at(last)


def _mortality(age_years: np.ndarray) -> np.ndarray:
    """Yearly chance of dying at an age (Gompertz curve: 0.2 % at 40, 2.5 % at 70, 10 % at 85)."""
    return np.clip(0.0004 + np.exp(-10.0 + 0.09 * age_years), 0, 0.5)


def live(
    rng: np.random.Generator,
    population: Population,
    calendar: Calendar,
    noise: NoiseConfig,
    family: FamilyConfig | None = None,
) -> Timeline:
    family = family or FamilyConfig.default()
    people = population.people.copy()
    households = population.households.copy()
    households["parent_hh"] = -1
    households["created"] = FIRST_DAY
    households["origin"] = True
    people["death"] = NO_DAY
    people["hh1"] = -1
    people["rel1"] = 0
    people["split_day"] = NO_DAY
    people["delta_birth"] = False
    n_hh = len(households)
    start, full, end = day(calendar.life_start), day(calendar.dukcapil_full), day(calendar.as_of)

    versions = [
        pd.DataFrame(
            {
                "hh": households["hh"].to_numpy(),
                "valid_from": FIRST_DAY,
                "village": households["village"].to_numpy(),
                "reason": "first",
            }
        )
    ]

    # Deaths before the full: by age, on a day after both the survey and the person's birth.
    years = (full - start) / 365.25
    age = (start - people["birth"].to_numpy()) / 365.25
    p_die = 1 - (1 - _mortality(np.maximum(age, 0))) ** years
    dies = rng.random(len(people)) < p_die
    lo = np.maximum(start, people["birth"].to_numpy())
    death_day = lo + (rng.random(len(people)) * np.maximum(full - lo, 1)).astype(np.int64) + 1
    people.loc[dies, "death"] = np.minimum(death_day[dies], full)

    # Moves before the full: the whole family, to a new village (mostly nearby), with a new KK.
    movers = np.flatnonzero(rng.random(n_hh) < family.move_share)
    move_day = rng.integers(start + 1, full + 1, movers.size)
    versions.append(
        pd.DataFrame(
            {
                "hh": movers,
                "valid_from": move_day,
                "village": regions.villages_near(rng, households["village"].to_numpy()[movers]),
                "reason": "moved",
            }
        )
    )

    # A new KK after the head's death, for some families.
    heads = people[(people["rel0"] == HEAD) & (people["death"] <= full)]
    reissue = heads[rng.random(len(heads)) < family.reissue_on_head_death]
    reissue_day = np.minimum(reissue["death"].to_numpy() + rng.integers(7, 90, len(reissue)), full)
    versions.append(
        pd.DataFrame(
            {
                "hh": reissue["hh0"].to_numpy(),
                "valid_from": reissue_day,
                "village": None,
                "reason": "kk_reissued",
            }
        )
    )
    timeline = Timeline(people, households, _sorted_versions(versions), pd.DataFrame(), calendar)
    _fill_villages(timeline)

    # Splits before the full: a married child's couple and their children take a KK of their own.
    candidates = households.loc[households["type"] == "three_generations", "hh"].to_numpy()
    splitting = candidates[rng.random(candidates.size) < family.split_share]
    _split(rng, timeline, splitting, rng.integers(start + 1, full + 1, splitting.size))
    if family.widowed_parent_joins > 0:
        _widowed_parents_join(rng, timeline, family.widowed_parent_joins, start, full)

    corrections: list[pd.DataFrame] = []
    busy_people = np.zeros(len(timeline.people), dtype=bool)
    busy_hh = np.zeros(len(timeline.households), dtype=bool)
    window_start = full
    for delta_day in calendar.dukcapil_deltas:
        window_end = day(delta_day)
        busy_people, busy_hh = _delta_window(
            rng, timeline, window_start, window_end, noise, busy_people, busy_hh, corrections
        )
        window_start = window_end
    timeline.corrections = (
        pd.concat(corrections, ignore_index=True)
        if corrections
        else pd.DataFrame(
            {
                "pid": pd.Series(dtype=np.int64),
                "day": pd.Series(dtype=np.int64),
                "field": pd.Series(dtype=object),
            }
        )
    )
    assert end == window_start
    return timeline


def _sorted_versions(parts: list[pd.DataFrame]) -> pd.DataFrame:
    v = pd.concat([p for p in parts if len(p)], ignore_index=True)
    return v.sort_values(["hh", "valid_from"], kind="stable").reset_index(drop=True)


def _fill_villages(timeline: Timeline) -> None:
    """A KK reissue keeps the village the family lived in at that moment."""
    v = timeline.versions
    v["village"] = v.groupby("hh")["village"].ffill()


def _split(
    rng: np.random.Generator, timeline: Timeline, families: np.ndarray, split_days: np.ndarray
) -> None:
    """Give each family's married child, their spouse and their children a new household from ``split_days``.

    A family whose married child is dead by that day does not split.
    """
    people = timeline.people
    ok_families, ok_days = [], []
    by_hh = {hh: d for hh, d in zip(families, split_days, strict=True)}
    mc = people[(people["role"] == "married_child") & people["hh0"].isin(families)]
    for pid_hh, death in zip(mc["hh0"].to_numpy(), mc["death"].to_numpy(), strict=True):
        if death > by_hh[pid_hh]:
            ok_families.append(pid_hh)
            ok_days.append(by_hh[pid_hh])
    if not ok_families:
        return
    families = np.asarray(ok_families)
    split_days = np.asarray(ok_days, dtype=np.int64)
    first_new = len(timeline.households)
    new_ids = np.arange(first_new, first_new + families.size)
    parent = timeline.households.set_index("hh").loc[families]
    new_households = pd.DataFrame(
        {
            "hh": new_ids,
            "village": None,
            "tradition": parent["tradition"].to_numpy(),
            "family_name": parent["family_name"].to_numpy(),
            "type": "split_off",
            "size": 0,
            "urban": parent["urban"].to_numpy(),
            # A young couple on their own: close to the parents' welfare, a little better off per head.
            "welfare": parent["welfare"].to_numpy() + rng.normal(0.05, 0.25, families.size),
            "parent_hh": families,
            "created": split_days,
            "origin": False,
        }
    )
    old_village = timeline.versions["village"].to_numpy()[timeline.version_at(families, split_days)]
    village = np.where(rng.random(families.size) < 0.7, old_village, regions.villages_near(rng, old_village))
    new_households["village"] = village
    timeline.households = pd.concat([timeline.households, new_households], ignore_index=True)
    timeline.versions = _sorted_versions(
        [
            timeline.versions,
            pd.DataFrame({"hh": new_ids, "valid_from": split_days, "village": village, "reason": "split"}),
        ]
    )
    new_of = pd.Series(new_ids, index=families)
    day_of = pd.Series(split_days, index=families)
    members = people["hh0"].isin(families) & people["role"].isin(
        ["married_child", "child_in_law", "grandchild"]
    )
    hh0 = people.loc[members, "hh0"]
    people.loc[members, "hh1"] = new_of.loc[hh0].to_numpy()
    people.loc[members, "split_day"] = day_of.loc[hh0].to_numpy()
    role = people.loc[members, "role"].to_numpy()
    male = people.loc[members, "sex"].to_numpy() == "L"
    # The husband heads the new family; the wife is his spouse; the children are the head's children.
    is_couple = role != "grandchild"
    people.loc[members, "rel1"] = np.where(is_couple, np.where(male, HEAD, SPOUSE), CHILD)
    people["hh1"] = people["hh1"].astype(np.int64)


def _widowed_parents_join(
    rng: np.random.Generator, timeline: Timeline, share: float, start: int, full: int
) -> None:
    """A ``share`` of elders living alone join a nearby family (same village, else district, else regency) as
    its head's parent before the full.

    Their old household is left without a living member; Dukcapil lists them on the family's KK from the day
    they join, while agencies that surveyed before still show them alone under their own household id.
    """
    people = timeline.people
    hh = timeline.households
    origin_village = hh["village"].to_numpy()
    elder_hh = hh.loc[hh["type"] == "single_elder", "hh"].to_numpy()
    elders = people[people["hh0"].isin(elder_hh) & (people["rel0"] == HEAD)]
    elders = elders[(elders["death"].to_numpy() > start + 2) & (rng.random(len(elders)) < share)]
    targets = hh[hh["type"].isin(JOINED_TYPES)]
    # The nearest families: of the same village, else district, else regency (codes nest by prefix).
    nearby = [
        targets.groupby(targets["village"].str[:width])["hh"].apply(lambda s: s.to_numpy())
        for width in (10, 6, 4)
    ]
    for pid, home, death in zip(
        elders["pid"].to_numpy(), elders["hh0"].to_numpy(), elders["death"].to_numpy(), strict=True
    ):
        candidates = next(
            (
                c
                for level, width in zip(nearby, (10, 6, 4), strict=True)
                if (c := level.get(origin_village[home][:width])) is not None
            ),
            None,
        )
        if candidates is None:
            continue
        last = min(int(death), full + 1)
        people.at[pid, "hh1"] = int(candidates[rng.integers(candidates.size)])
        people.at[pid, "rel1"] = PARENT
        people.at[pid, "split_day"] = int(rng.integers(start + 1, last))


def _delta_window(
    rng: np.random.Generator,
    timeline: Timeline,
    lo: int,
    hi: int,
    noise: NoiseConfig,
    busy_people: np.ndarray,
    busy_hh: np.ndarray,
    corrections: list[pd.DataFrame],
) -> tuple[np.ndarray, np.ndarray]:
    """Life during one delta window (days ``lo+1 .. hi``); everyone touched is marked busy for later windows."""

    def some_day(k: int) -> np.ndarray:
        return rng.integers(lo + 1, hi + 1, k)

    def count(rate: float, base: int) -> int:
        return max(1, round(rate * base))

    people = timeline.people
    alive = timeline.alive_on(lo) & ~busy_people
    hh_now = timeline.household_at(lo)
    living_hh = np.unique(hh_now[timeline.alive_on(lo)])
    n_hh = len(timeline.households)

    # Deaths, the old more likely.
    idx = np.flatnonzero(alive)
    if idx.size:
        age = (lo - people["birth"].to_numpy()[idx]) / 365.25
        w = _mortality(age)
        k = min(count(DELTA_DEATHS, idx.size), idx.size)
        dead = rng.choice(idx, size=k, replace=False, p=w / w.sum())
        people.loc[dead, "death"] = some_day(k)
        busy_people[dead] = True

    # Whole families moving (PINDAH with new village, KK and address).
    free = living_hh[~busy_hh[living_hh]]
    k = min(count(DELTA_MOVES, n_hh), free.size)
    movers = rng.choice(free, size=k, replace=False) if k else np.array([], dtype=np.int64)
    if k:
        move_days = some_day(k)
        current = timeline.versions["village"].to_numpy()[timeline.version_at(movers, move_days)]
        timeline.versions = _sorted_versions(
            [
                timeline.versions,
                pd.DataFrame(
                    {
                        "hh": movers,
                        "valid_from": move_days,
                        "village": regions.villages_near(rng, current),
                        "reason": "moved",
                    }
                ),
            ]
        )
        busy_hh[movers] = True
        busy_people |= np.isin(hh_now, movers)

    # Couples splitting off (PINDAH with a new KK).
    hh = timeline.households
    can_split = hh.loc[(hh["type"] == "three_generations"), "hh"].to_numpy()
    already = people.loc[people["hh1"] >= 0, "hh0"].unique()
    can_split = np.setdiff1d(can_split, already)
    can_split = can_split[~busy_hh[can_split]]
    mc_alive = people.loc[(people["role"] == "married_child") & alive, "hh0"].to_numpy()
    can_split = np.intersect1d(can_split, mc_alive)
    k = min(count(DELTA_SPLITS, n_hh), can_split.size)
    if k:
        families = rng.choice(can_split, size=k, replace=False)
        before = len(timeline.households)
        _split(rng, timeline, families, some_day(k))
        people = timeline.people
        busy_hh = np.r_[busy_hh, np.ones(len(timeline.households) - before, dtype=bool)]
        busy_hh[families] = True
        busy_people |= people["hh0"].isin(families).to_numpy()

    # Births (LAHIR): to a living woman of 18-44 who heads, or is the spouse in, a household not otherwise busy.
    hh_now = timeline.household_at(lo)
    rel_now = timeline.relationship_at(lo)
    age = (lo - people["birth"].to_numpy()) / 365.25
    mother = (
        timeline.alive_on(lo)
        & (people["sex"].to_numpy() == "P")
        & (age >= 18)
        & (age <= 44)
        & np.isin(rel_now, [HEAD, SPOUSE])
        & ~busy_hh[hh_now]
        & ~busy_people
    )
    mothers = np.flatnonzero(mother)
    k = min(count(DELTA_BIRTHS, n_hh), mothers.size)
    if k:
        chosen = rng.choice(mothers, size=k, replace=False)
        babies = _babies(rng, timeline, chosen, some_day(k), hh_now[chosen])
        timeline.people = pd.concat([people, babies], ignore_index=True)
        people = timeline.people
        busy_people = np.r_[busy_people, np.ones(len(babies), dtype=bool)]
        busy_hh[hh_now[chosen]] = True

    # Corrections (UBAH_DATA): of a wrong name or birth date in the full, or of a missing place of birth.
    alive = timeline.alive_on(lo) & ~busy_people & ~people["delta_birth"].to_numpy()
    idx = np.flatnonzero(alive)
    k = min(count(DELTA_CORRECTIONS, idx.size), idx.size)
    if k:
        chosen = rng.choice(idx, size=k, replace=False)
        wrong = rng.random(k) < noise.dukcapil_corrected
        field = np.where(wrong, np.where(rng.random(k) < 0.6, "name", "birth"), "birthplace")
        corrections.append(pd.DataFrame({"pid": chosen.astype(np.int64), "day": some_day(k), "field": field}))
        busy_people[chosen] = True
    return busy_people, busy_hh


def _babies(
    rng: np.random.Generator,
    timeline: Timeline,
    mothers: np.ndarray,
    days: np.ndarray,
    households: np.ndarray,
) -> pd.DataFrame:
    """New people born on ``days`` into their mothers' households (LAHIR events)."""
    people = timeline.people
    k = mothers.size
    sex = np.where(rng.random(k) < 0.51, "L", "P")
    hh = timeline.households.set_index("hh").loc[households]
    born_year = 1970 + (days / 365.25).astype(int)
    name = names.person_names(
        rng, hh["tradition"].to_numpy(), sex, born_year, hh["family_name"].to_numpy(), np.ones(k, dtype=bool)
    )
    # A baby is the head's child; it is a grandchild only when born to the couple of a family that has not split.
    return pd.DataFrame(
        {
            "pid": np.arange(len(people), len(people) + k, dtype=np.int64),
            "hh0": households.astype(np.int64),
            "role": "child",
            "rel0": np.full(k, CHILD),
            "sex": sex,
            "birth": days.astype(np.int64),
            "name": name,
            "disabled": False,
            "education": np.zeros(k, dtype=np.int32),
            "works": False,
            "marital": np.ones(k, dtype=np.int32),
            "death": NO_DAY,
            "hh1": -1,
            "rel1": 0,
            "split_day": NO_DAY,
            "delta_birth": True,
        }
    )
