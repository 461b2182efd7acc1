"""NoiseConfig and the small functions that make recording errors, property-tested."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sejahtera.generate import NoiseConfig, names, record_noise
from sejahtera.generate.days import day, format_days
from sejahtera.generate.defects import invalid_date_text
from sejahtera.reference import region_codes
from sejahtera.rules.nik import nik_problem

NIKS = st.from_regex(r"[1-9][0-9]{15}", fullmatch=True)
SEEDS = st.integers(0, 2**32 - 1)
NAME_TOKENS = st.sampled_from(sorted({t for pool in names.POOLS.values() for t in (*pool.lead, *pool.given)}))


def test_none_has_no_noise_and_default_is_modest() -> None:
    assert all(getattr(NoiseConfig.none(), f.name) == 0 for f in fields(NoiseConfig))
    default = NoiseConfig.default()
    defects = ("invalid_date", "birth_date_out_of_range", "unknown_region_code", "code_not_in_set", "control_character",
               "duplicate_record_id", "member_without_household")  # fmt: skip
    assert all(0.001 <= getattr(default, d) <= 0.005 for d in defects)


def test_scaled_multiplies_every_rate_and_caps_at_one() -> None:
    doubled = NoiseConfig.default().scaled(2)
    assert doubled.nik_typo == pytest.approx(2 * NoiseConfig.default().nik_typo)
    assert NoiseConfig.default().scaled(1000).zero_padded_rt_rw == 1.0
    assert NoiseConfig.default().scaled(0) == NoiseConfig.none()
    with pytest.raises(ValueError):
        NoiseConfig.default().scaled(-1)
    with pytest.raises(ValueError, match="nik_typo"):
        NoiseConfig(nik_typo=1.5)


@given(NIKS, SEEDS)
def test_a_typo_changes_exactly_one_digit(nik: str, seed: int) -> None:
    typo = record_noise.one_digit_off(nik, np.random.default_rng(seed))
    assert len(typo) == 16 and typo.isdigit()
    assert sum(a != b for a, b in zip(typo, nik, strict=True)) == 1


@given(NIKS, SEEDS)
def test_a_transposition_swaps_two_adjacent_different_digits(nik: str, seed: int) -> None:
    swapped = record_noise.transposed(nik, np.random.default_rng(seed))
    if swapped is None:
        assert len(set(nik)) == 1
        return
    diff = [i for i in range(16) if swapped[i] != nik[i]]
    assert len(diff) == 2 and diff[1] == diff[0] + 1 and sorted(swapped) == sorted(nik)


@settings(deadline=None)  # the first example loads the region lists
@given(NIKS, SEEDS)
def test_a_placeholder_is_malformed_or_one_repeated_digit(nik: str, seed: int) -> None:
    value = record_noise.placeholder(nik, np.random.default_rng(seed))
    assert nik_problem(value, region_codes().districts) is not None or len(set(value)) == 1


@given(st.lists(NAME_TOKENS, min_size=1, max_size=3), SEEDS)
def test_name_noise_keeps_a_recognisable_printable_name(tokens: list[str], seed: int) -> None:
    name = " ".join(tokens)
    rng = np.random.default_rng(seed)
    for noisy in (
        names.spelling_variant(name, rng),
        names.with_title(name, "L", rng),
        names.reformatted(name, rng),
    ):
        assert noisy != name and noisy.strip()
        assert all(ch.isprintable() for ch in noisy)
    variant = names.spelling_variant(name, rng)
    assert variant == variant.upper()


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_dates_are_written_in_each_agency_style(d: date) -> None:
    for style in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d"):
        assert format_days(np.array([day(d)]), style)[0] == d.strftime(style)


@given(SEEDS, st.sampled_from(["%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d"]))
def test_an_invalid_date_never_parses(seed: int, style: str) -> None:
    value = invalid_date_text(np.random.default_rng(seed), style)
    with pytest.raises(ValueError):
        datetime.strptime(value, style)
