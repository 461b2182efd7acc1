"""The latent truth at the start of the story: families, their members and their welfare.

Each of the ``households`` families is drawn as a type (single elder, couple, nuclear, single parent, with
grandparents, three generations with a married child's couple) whose members get realistic ages, sexes and
relationship codes (1 head ... 8 other). Everything is built role by role with numpy (no loop per person).

Welfare is log per-capita monthly consumption: a national level, the province's effect (from its poverty rate),
a city bonus, regency and village effects, a penalty per extra member and an idiosyncratic part. It is the
quantity every agency's coverage and every Regsosek housing variable is driven by, and the one ranking must recover.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sejahtera.generate import names, regions
from sejahtera.generate.config import Calendar
from sejahtera.generate.days import day

WELFARE_MEAN = 14.1
"""log(Rp 1.33 M) per person per month: with the spread below about 8 % fall under the Rp 609 k poverty line."""

# Household types: share, and what each holds.
TYPES = {
    "single_elder": 0.05,
    "single_young": 0.03,
    "couple": 0.10,
    "nuclear": 0.53,
    "single_parent": 0.10,
    "with_parents": 0.11,
    "three_generations": 0.08,
}

# Relationship codes (contract: DTKS HUB_KEL / Regsosek hubungan_krt).
HEAD, SPOUSE, CHILD, CHILD_IN_LAW, GRANDCHILD, PARENT, RELATIVE, OTHER = range(1, 9)


class AreaEffects:
    """The welfare effect of each area (regency or village), drawn by the first chunk of households that places
    a family there and kept for every later chunk: neighbours generated in different chunks share their area's
    fortune, as they would had they been generated together."""

    def __init__(self, sd: float) -> None:
        self.sd = sd
        self._effects: dict[str, float] = {}

    def of(self, rng: np.random.Generator, keys: pd.Series) -> np.ndarray:
        """Each key's effect; one normal draw per area not seen before (in sorted key order, so it does not
        depend on row order)."""
        codes, uniques = pd.factorize(keys, sort=True)
        effects = np.array([self._effects.get(u, np.nan) for u in uniques], dtype=np.float64)
        fresh = np.isnan(effects)
        effects[fresh] = rng.normal(0, self.sd, int(fresh.sum()))
        self._effects.update(zip(uniques[fresh], effects[fresh], strict=True))
        return effects[codes]


@dataclass
class RegionalEffects:
    """The area effects of one landing zone, shared by all its chunks."""

    regency: AreaEffects = field(default_factory=lambda: AreaEffects(0.12))
    village: AreaEffects = field(default_factory=lambda: AreaEffects(0.08))


@dataclass
class Population:
    """Families at the start (``households``, one row per family) and their members (``people``)."""

    households: pd.DataFrame
    """``hh``, ``village``, ``tradition``, ``family_name``, ``type``, ``size``, ``welfare``, ``urban``."""
    people: pd.DataFrame
    """``pid``, ``hh0``, ``role``, ``rel0``, ``sex``, ``birth``, ``name``, ``disabled``, ``education``,
    ``works``, ``marital``; later steps add the life course and identity numbers."""


def _ages(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return low + rng.random(len(low)) * np.maximum(high - low, 0)


def build_population(
    rng: np.random.Generator,
    n_households: int,
    calendar: Calendar,
    regional: RegionalEffects | None = None,
) -> Population:
    """``n_households`` families; ``regional`` holds the area effects of the chunks generated before."""
    regional = regional or RegionalEffects()
    n = n_households
    villages = regions.draw_villages(rng, n)
    tradition = regions.traditions_for(rng, villages)
    family_name = names.family_names(rng, tradition)
    type_names = np.array(list(TYPES), dtype=object)
    p = np.array(list(TYPES.values()))
    htype = type_names[rng.choice(len(type_names), size=n, p=p / p.sum())]

    # Head's age (years at as_of) by type.
    head_age = np.select(
        [
            htype == "single_elder",
            htype == "single_young",
            htype == "couple",
            htype == "three_generations",
            htype == "single_parent",
        ],
        [
            rng.uniform(60, 92, n),
            rng.uniform(20, 40, n),
            np.where(rng.random(n) < 0.4, rng.uniform(22, 33, n), rng.uniform(52, 82, n)),
            rng.uniform(50, 76, n),
            rng.uniform(27, 66, n),
        ],
        default=rng.triangular(24, 38, 64, n),
    )
    has_spouse = np.isin(htype, ["couple", "nuclear", "with_parents", "three_generations"])
    head_male = np.where(
        has_spouse,
        rng.random(n) < 0.95,
        np.where(htype == "single_parent", rng.random(n) < 0.25, rng.random(n) < 0.4),
    )
    n_children = np.where(
        np.isin(htype, ["nuclear", "single_parent", "with_parents"]),
        1 + np.minimum(rng.poisson(1.1, n), 5),
        np.where(htype == "three_generations", rng.poisson(0.6, n), 0),
    )
    n_children = np.where(htype == "single_parent", np.maximum(n_children, 1), n_children)
    married_child = htype == "three_generations"
    n_grandkids = np.where(married_child, np.minimum(rng.poisson(1.3, n), 4), 0)
    n_parents = np.where(htype == "with_parents", 1 + (rng.random(n) < 0.35), 0)
    n_other = (rng.random(n) < 0.04).astype(int)

    blocks = []

    def block(hh: np.ndarray, role: str, rel: np.ndarray, sex_male: np.ndarray, age: np.ndarray) -> None:
        blocks.append(
            pd.DataFrame({"hh0": hh, "role": role, "rel0": rel, "male": sex_male, "age": age}, copy=False)
        )

    all_hh = np.arange(n)
    block(all_hh, "head", np.full(n, HEAD), head_male, head_age)
    sp = np.flatnonzero(has_spouse)
    spouse_age = np.clip(head_age[sp] + np.where(head_male[sp], -1, 1) * rng.normal(4, 3, sp.size), 18, 95)
    block(sp, "spouse", np.full(sp.size, SPOUSE), ~head_male[sp], spouse_age)
    # The mother's age bounds the children's: the younger of head and spouse stands in for her.
    parent_age = head_age.copy()
    parent_age[sp] = np.minimum(head_age[sp], spouse_age)
    ch = np.repeat(all_hh, n_children)
    child_age = _ages(rng, np.zeros(ch.size), np.clip(parent_age[ch] - 18, 0, 28))
    block(ch, "child", np.full(ch.size, CHILD), rng.random(ch.size) < 0.5, child_age)
    mc = np.flatnonzero(married_child)
    mc_age = np.clip(head_age[mc] - rng.uniform(20, 32, mc.size), 23, 50)
    mc_male = rng.random(mc.size) < 0.5
    block(mc, "married_child", np.full(mc.size, CHILD), mc_male, mc_age)
    block(
        mc,
        "child_in_law",
        np.full(mc.size, CHILD_IN_LAW),
        ~mc_male,
        np.clip(mc_age + rng.normal(0, 3, mc.size), 19, 60),
    )
    gk = np.repeat(all_hh, n_grandkids)
    mc_age_by_hh = np.zeros(n)
    mc_age_by_hh[mc] = mc_age
    gk_age = _ages(rng, np.zeros(gk.size), np.clip(mc_age_by_hh[gk] - 19, 0, 14))
    block(gk, "grandchild", np.full(gk.size, GRANDCHILD), rng.random(gk.size) < 0.5, gk_age)
    pa = np.repeat(all_hh, n_parents)
    first_parent = np.r_[True, pa[1:] != pa[:-1]] if pa.size else np.array([], dtype=bool)
    first_male = rng.random(pa.size) < 0.35
    # A second parent is the first one's partner: of the other sex.
    pa_male = np.where(first_parent, first_male, ~np.roll(first_male, 1))
    pa_age = np.clip(head_age[pa] + rng.uniform(22, 34, pa.size), 55, 98)
    block(pa, "parent", np.full(pa.size, PARENT), pa_male, pa_age)
    ot = np.repeat(all_hh, n_other)
    ot_rel = np.where(rng.random(ot.size) < 0.7, RELATIVE, OTHER)
    block(ot, "other", ot_rel, rng.random(ot.size) < 0.5, rng.uniform(5, 70, ot.size))

    people = pd.concat(blocks, ignore_index=True)
    order = {
        "head": 0,
        "spouse": 1,
        "married_child": 2,
        "child_in_law": 3,
        "child": 4,
        "grandchild": 5,
        "parent": 6,
        "other": 7,
    }
    people["role_order"] = people["role"].map(order)
    people = people.sort_values(["hh0", "role_order", "age"], ascending=[True, True, False], kind="stable")
    people = people.reset_index(drop=True)
    people.insert(0, "pid", np.arange(len(people), dtype=np.int64))
    people["sex"] = np.where(people["male"], "L", "P")

    # Birth day: age in years at as_of plus a random day of that year; nobody is born after Dukcapil's full
    # (later births are LAHIR events, made by the life course).
    latest = day(calendar.dukcapil_full) - 1
    birth = (
        day(calendar.as_of)
        - np.floor(people["age"].to_numpy() * 365.25).astype(np.int64)
        - rng.integers(0, 365, len(people))
    )
    people["birth"] = np.minimum(birth, latest).astype(np.int64)

    size = np.bincount(people["hh0"], minlength=n)
    urban = pd.Series(villages).str[6].to_numpy() == "1"
    province = pd.Series(villages).str[:2]
    province_eff = province.map(regions.province_effect).to_numpy()
    regency = pd.Series(villages).str[:4]
    regency_eff = regional.regency.of(rng, regency)
    village_eff = regional.village.of(rng, pd.Series(villages))
    welfare = (
        WELFARE_MEAN
        + province_eff
        + 0.15 * urban
        + regency_eff
        + village_eff
        - 0.06 * (size - 4)
        + rng.normal(0, 0.42, n)
    )
    households = pd.DataFrame(
        {
            "hh": all_hh,
            "village": villages,
            "tradition": tradition,
            "family_name": family_name,
            "type": htype,
            "size": size,
            "urban": urban,
            "welfare": welfare,
        }
    )
    _attributes(rng, people, households, calendar)
    people = people.drop(columns=["male", "age", "role_order"])
    return Population(households=households, people=people)


def _attributes(
    rng: np.random.Generator, people: pd.DataFrame, households: pd.DataFrame, calendar: Calendar
) -> None:
    """Names, disability, schooling, work and marital status: what the agencies record about each member."""
    hh = people["hh0"].to_numpy()
    age = people["age"].to_numpy()
    role = people["role"].to_numpy()
    male = people["male"].to_numpy()
    n = len(people)
    tradition = households["tradition"].to_numpy()[hh]
    birth_year = 1970 + (people["birth"].to_numpy() / 365.25).astype(int)
    # The household's family name passes to the head and children when the head is a man; wives keep their own.
    head_male = np.zeros(len(households), dtype=bool)
    heads = people["role"].to_numpy() == "head"
    head_male[hh[heads]] = male[heads]
    carries = np.isin(role, ["head", "child", "married_child", "grandchild"]) & head_male[hh]
    carries |= (role == "head") & male
    people["name"] = names.person_names(
        rng,
        tradition,
        people["sex"].to_numpy(),
        birth_year,
        households["family_name"].to_numpy()[hh],
        carries,
    )
    people["disabled"] = rng.random(n) < np.where(age >= 65, 0.08, 0.015)
    # Schooling: better-off families and younger cohorts go further; capped by age.
    z = (households["welfare"].to_numpy()[hh] - WELFARE_MEAN) / 0.55
    latent = 0.7 * z + 0.03 * np.clip(60 - age, -20, 50) + rng.normal(0, 1, n)
    education = np.digitize(latent, [-1.6, -0.6, 0.3, 1.1, 1.5, 2.1])
    cap = np.select([age < 7, age < 13, age < 16, age < 19, age < 22], [0, 1, 2, 3, 4], default=6)
    people["education"] = np.minimum(education, cap).astype(np.int32)
    p_work = np.select([age < 15, age < 65], [0.02, np.where(male, 0.85, 0.5)], default=0.3)
    people["works"] = rng.random(n) < p_work
    married = np.isin(role, ["head", "spouse"]) & np.isin(
        households["type"].to_numpy()[hh], ["couple", "nuclear", "with_parents", "three_generations"]
    )
    married |= np.isin(role, ["married_child", "child_in_law"])
    widowed_or_divorced = np.where(rng.random(n) < np.clip((age - 30) / 40, 0.1, 0.9), 4, 3)
    marital = np.where(
        married,
        2,
        np.where(
            age < 17, 1, np.where(role == "child", np.where(rng.random(n) < 0.95, 1, 3), widowed_or_divorced)
        ),
    )
    marital = np.where((role == "parent") & (rng.random(n) < 0.5), 2, marital)
    marital = np.where(
        (role == "head") & (households["type"].to_numpy()[hh] == "single_young"),
        np.where(rng.random(n) < 0.8, 1, 3),
        marital,
    )
    people["marital"] = marital.astype(np.int32)
