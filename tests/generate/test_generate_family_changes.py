"""Family changes (FamilyConfig) and how agencies record families (family_records), on a small timeline."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from sejahtera.generate import FamilyConfig, NoiseConfig
from sejahtera.generate.config import Calendar
from sejahtera.generate.days import NO_DAY, day
from sejahtera.generate.identity import assign_identity
from sejahtera.generate.life import Timeline, live
from sejahtera.generate.population import HEAD, PARENT, RELATIVE, build_population
from sejahtera.generate.views import agency_view, existing_households

CALENDAR = Calendar(date(2026, 11, 27))


@pytest.fixture(scope="module")
def timeline() -> Timeline:
    """1 500 families living four years at high rates of every family change."""
    family = FamilyConfig(
        move_share=0.2, split_share=0.9, reissue_on_head_death=1.0, widowed_parent_joins=1.0
    )
    population = build_population(np.random.default_rng(1), 1500, CALENDAR)
    timeline = live(np.random.default_rng(2), population, CALENDAR, NoiseConfig.none(), family)
    assign_identity(np.random.default_rng(3), timeline, NoiseConfig.none())
    return timeline


def test_family_rates_are_shares():
    with pytest.raises(ValueError, match="split_share"):
        FamilyConfig(split_share=1.5)
    harsher = FamilyConfig.harsher()
    assert harsher != FamilyConfig.default()
    assert NoiseConfig.harsher() == NoiseConfig.default().scaled(2)


def test_widowed_parents_join_a_family_nearby(timeline: Timeline):
    people, hh = timeline.people, timeline.households
    elders = people[(people["rel0"] == HEAD) & people["hh0"].isin(hh.loc[hh["type"] == "single_elder", "hh"])]
    joined = elders[elders["hh1"] >= 0]
    assert len(joined) > 0.5 * len(elders)
    assert (joined["rel1"] == PARENT).all()
    assert (joined["split_day"] < joined["death"]).all()
    assert (joined["split_day"] <= day(CALENDAR.dukcapil_full)).all()
    regency = hh.set_index("hh")["village"].str[:4]
    assert (regency.loc[joined["hh0"]].to_numpy() == regency.loc[joined["hh1"]].to_numpy()).all()
    # From the day they join they are in the family (Dukcapil lists them on its KK).
    now = timeline.household_at(day(CALENDAR.as_of))
    assert (now[joined["pid"].to_numpy()] == joined["hh1"].to_numpy()).all()


def test_agencies_list_some_members_merge_housemates_and_blur_split_in_laws(timeline: Timeline):
    t = day(CALENDAR.regsosek_view)
    covered = existing_households(timeline, t)
    plain = agency_view(timeline, t, covered)
    noise = replace(
        NoiseConfig.none(), partial_listing=0.5, two_families_one_record=0.2, split_spouse_identity=1.0
    )
    messy = agency_view(timeline, t, covered, rng=np.random.default_rng(4), noise=noise)
    # Fewer records (merged housemates) and fewer members listed (partial listing); every record keeps its head.
    assert len(messy.households) < len(plain.households)
    assert len(messy.members) < len(plain.members)
    assert set(messy.members["pid"]) <= set(plain.members["pid"])
    heads = messy.members[messy.members["rel"] == HEAD].groupby("rec_hh").size()
    assert (heads.reindex(messy.households["rec_hh"]).fillna(0) == 1).all()
    # A housemate family is listed as relatives, under a household of the same village.
    true_hh = plain.members.set_index("pid")["rec_hh"]
    merged = messy.members[messy.members["rec_hh"].to_numpy() != true_hh.loc[messy.members["pid"]].to_numpy()]
    assert len(merged) > 0 and (merged["rel"] == RELATIVE).all()
    village = plain.households.set_index("rec_hh")["village"]
    assert (
        village.loc[merged["rec_hh"]].to_numpy() == village.loc[true_hh.loc[merged["pid"]]].to_numpy()
    ).all()
    # Hard identities: exactly the in-laws of families that split after the survey.
    people = timeline.people.set_index("pid")
    hard = messy.members[messy.members["hard_identity"]]
    assert len(hard) > 0
    assert (people.loc[hard["pid"], "role"] == "child_in_law").all()
    assert (people.loc[hard["pid"], "split_day"] != NO_DAY).all()
    assert not plain.members["hard_identity"].any()
