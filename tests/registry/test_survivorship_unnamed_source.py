"""A declared agency that config/survivorship.yaml does not name still supplies identity and address values, in a
tier after the listed ones; never vital status or a welfare input (assets/registry/config.py)."""

from __future__ import annotations

import dataclasses

import pytest

from assets.registry import config
from assets.registry.config import UNNAMED_SOURCE_FIELDS, load_survivorship
from sejahtera.sources import AGENCIES
from sejahtera.sources.p3ke import P3KE


def test_the_four_agencies_keep_exactly_the_configured_rules() -> None:
    rules = load_survivorship().rules
    assert {r.source for r in rules} == {"dukcapil", "regsosek", "dtks", "p3ke"}
    assert [r.source for r in rules if (r.entity, r.field) == ("person", "nama")] == [
        "dukcapil",
        "regsosek",
        "dtks",
        "p3ke",
    ]


def test_an_unnamed_agency_fills_in_after_the_listed_tiers(monkeypatch: pytest.MonkeyPatch) -> None:
    fifth = dataclasses.replace(P3KE, name="bpjs", description="an agency survivorship.yaml does not name")
    monkeypatch.setattr(config, "AGENCIES", (*AGENCIES, fifth))
    rules = load_survivorship().rules
    fifth_rules = {(r.entity, r.field): r for r in rules if r.source == "bpjs"}
    assert set(fifth_rules) == {(e, f) for e, fields in UNNAMED_SOURCE_FIELDS.items() for f in fields}
    for (entity, field), rule in fifth_rules.items():
        listed = [r for r in rules if (r.entity, r.field) == (entity, field) and r.source != "bpjs"]
        assert rule.tier == max(r.tier for r in listed) + 1
        assert rule.source_order == max(r.source_order for r in listed) + 1
    assert ("person", "status_hidup") not in fifth_rules and ("household", "survey_record") not in fifth_rules
