"""Row defects: rows that break a row rule of contract section 1, which the data-quality gate must quarantine.

Each file declares which of its columns can break which rule (:class:`Breakable`); :func:`inject` breaks a share
of rows (one defect per row, so the truth is exact) and records the rule in the row's ``_rules``. The cascade
(a member whose household row is missing or itself quarantined) is computed from the household file's final
state by :func:`cascade_members`, so every rule a row breaks is listed, using the names of
``sejahtera/rules/row_rules.py``.

Broken values look like what goes wrong in real exports: ``31-02-1980``, ``00-05-1975``, an ISO date in a
DD-MM-YYYY column, ``2062`` typed for ``1962``, a district's village ``9xxx`` that does not exist, a sex ``X``,
a relationship code ``9``, a bell or escape character pasted into a name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from sejahtera.generate import regions
from sejahtera.generate.config import NoiseConfig
from sejahtera.generate.days import day, format_parts, ymd
from sejahtera.rules import row_rules

CONTROL_CHARACTERS = ("\x07", "\x00", "\x1b", "\x01", "\x02", "\x08", "\x1f", "\x0e")


@dataclass(frozen=True)
class Breakable:
    """Which columns of one file can carry which defect."""

    record_id: str
    household_ref: str | None = None
    is_household_file: bool = False
    date_style: str | None = None
    """Date format of a CSV file; None for Parquet (typed dates cannot be malformed, only out of range)."""
    dates: tuple[str, ...] = ()
    birth_dates: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    dotted_regions: bool = False
    codes: dict[str, tuple[object, ...]] = field(default_factory=dict)
    """Column -> values outside its set."""
    texts: tuple[str, ...] = ()


def stochastic_count(rng: np.random.Generator, rate: float, n: int) -> int:
    """``rate * n`` rounded up or down at random, so small files get a defect in proportion on average."""
    expected = rate * n
    return int(np.floor(expected + rng.random())) if rate > 0 else 0


def inject(
    rng: np.random.Generator,
    frame: pd.DataFrame,
    spec: Breakable,
    noise: NoiseConfig,
    new_household_id: Callable[[], str] | None = None,
) -> pd.DataFrame:
    """Break a share of ``frame``'s rows; return the frame with ``_rules`` (tuple of rules per row), duplicated
    rows inserted after their originals and left-out household rows removed."""
    frame = frame.reset_index(drop=True).copy()
    n = len(frame)
    rules: list[tuple[str, ...]] = [()] * n
    taken = np.zeros(n, dtype=bool)

    def choose(rate: float) -> np.ndarray:
        free = np.flatnonzero(~taken)
        k = min(stochastic_count(rng, rate, n), free.size)
        if k == 0:
            return np.array([], dtype=np.int64)
        chosen = np.sort(rng.choice(free, size=k, replace=False))
        taken[chosen] = True
        return chosen

    def mark(i: int, rule: str) -> None:
        rules[i] = (*rules[i], rule)

    date_columns = spec.dates + spec.birth_dates if spec.date_style else ()
    if date_columns:
        for i in choose(noise.invalid_date):
            col = date_columns[int(rng.integers(len(date_columns)))]
            frame.at[i, col] = invalid_date_text(rng, spec.date_style)
            mark(i, row_rules.INVALID_DATE)
    if spec.birth_dates:
        for i in choose(noise.birth_date_out_of_range):
            col = spec.birth_dates[int(rng.integers(len(spec.birth_dates)))]
            frame.at[i, col] = _out_of_range_birth(rng, frame.at[i, col], spec.date_style)
            mark(i, row_rules.BIRTH_DATE_OUT_OF_RANGE)
    if spec.regions:
        for i in choose(noise.unknown_region_code):
            col = spec.regions[int(rng.integers(len(spec.regions)))]
            code = regions.invalid_village_code(rng, str(frame.at[i, col]).replace(".", ""))
            frame.at[i, col] = dotted(code) if spec.dotted_regions else code
            mark(i, row_rules.UNKNOWN_REGION_CODE)
    if spec.codes:
        columns = list(spec.codes)
        for i in choose(noise.code_not_in_set):
            col = columns[int(rng.integers(len(columns)))]
            bad = spec.codes[col]
            frame.at[i, col] = bad[int(rng.integers(len(bad)))]
            mark(i, row_rules.CODE_NOT_IN_SET)
    if spec.texts:
        for i in choose(noise.control_character):
            col = spec.texts[int(rng.integers(len(spec.texts)))]
            frame.at[i, col] = _with_control_character(rng, frame.at[i, col])
            mark(i, row_rules.CONTROL_CHARACTER)
    empty_id = "" if spec.date_style else None
    for i in choose(noise.missing_record_id):
        frame.at[i, spec.record_id] = empty_id
        mark(i, row_rules.MISSING_RECORD_ID)
    if spec.household_ref and new_household_id is not None:
        for i in choose(noise.member_without_household):
            frame.at[i, spec.household_ref] = new_household_id()
            mark(i, row_rules.MEMBER_WITHOUT_HOUSEHOLD)
    removed = choose(noise.household_row_missing) if spec.is_household_file else np.array([], dtype=np.int64)
    duplicated = choose(noise.duplicate_record_id)

    frame["_rules"] = rules
    frame["_order"] = np.arange(n, dtype=np.float64)
    copies = frame.iloc[duplicated].copy()
    # A repeated id comes later in the file than its first occurrence (the first one is the one that loads).
    copies["_order"] = duplicated + rng.uniform(0.01, 1.0, duplicated.size) * (n - duplicated)
    copies["_rules"] = [(row_rules.DUPLICATE_RECORD_ID,)] * len(copies)
    # A copy's uid is derived from its original's (each row is copied at most once), unique within the drop.
    copies["_copy_of"] = frame["_uid"].to_numpy()[duplicated]
    copies["_uid"] = -1 - copies["_copy_of"]
    frame["_copy_of"] = -1
    frame = frame.drop(index=removed)
    out = pd.concat([frame, copies], ignore_index=True).sort_values("_order", kind="stable")
    return out.drop(columns="_order").reset_index(drop=True)


def accepted_household_ids(households: pd.DataFrame, record_id: str) -> set[str]:
    """Ids of the household rows that load: no rule broken (a repeated id's first occurrence loads)."""
    clean = households["_rules"].map(len).to_numpy() == 0
    return set(households.loc[clean, record_id].dropna().astype(str)) - {""}


def cascade_members(members: pd.DataFrame, household_ref: str, accepted: set[str]) -> None:
    """Add ``member_without_household`` to members whose household is not among the accepted household rows."""
    refs = members[household_ref].astype(object).to_numpy()
    orphan = np.array([r is None or str(r) not in accepted for r in refs], dtype=bool)
    members["_rules"] = [
        (*rules, row_rules.MEMBER_WITHOUT_HOUSEHOLD)
        if o and row_rules.MEMBER_WITHOUT_HOUSEHOLD not in rules
        else rules
        for rules, o in zip(members["_rules"], orphan, strict=True)
    ]


def dotted(code: str) -> str:
    """``3201012001`` -> ``32.01.01.2001`` (Kemendagri's written form)."""
    return f"{code[:2]}.{code[2:4]}.{code[4:6]}.{code[6:]}"


def invalid_date_text(rng: np.random.Generator, style: str) -> str:
    """A date that does not exist or does not parse in ``style``."""
    year = int(rng.integers(1940, 2015))
    kind = int(rng.integers(6))
    if kind == 0:
        return format_parts(year, 2, int(rng.integers(30, 32)), style)
    if kind == 1:
        return format_parts(year, int(rng.choice([4, 6, 9, 11])), 31, style)
    if kind == 2:
        leapless = year + (1 if year % 4 == 0 else 0)
        return format_parts(leapless, 2, 29, style)
    if kind == 3:
        return format_parts(year, int(rng.integers(13, 20)), int(rng.integers(1, 29)), style)
    if kind == 4:
        return format_parts(year, int(rng.integers(1, 13)), 0, style)
    # The right date in another layout: the file's parser must not read it.
    other = "%Y-%m-%d" if style != "%Y-%m-%d" else "%d-%m-%Y"
    if style == "%d/%m/%Y":
        other = "%Y-%m-%d" if rng.random() < 0.5 else "%d-%m-%Y"
    return format_parts(year, int(rng.integers(1, 13)), int(rng.integers(13, 29)), other)


def _out_of_range_birth(rng: np.random.Generator, value: object, style: str | None) -> object:
    """The same day and month in a year that is in the future (``2062`` for ``1962``) or before 1900."""
    if style is None:
        y, m, d = (int(x[0]) for x in ymd(np.array([int(value)])))
    else:
        y, m, d = _parse(str(value), style)
    d = min(d, 28)
    future = rng.random() < 0.5
    year = 2040 + y % 60 if future else 1800 + y % 100
    if style is None:
        return day(date(year, m, d))
    return format_parts(year, m, d, style)


def _parse(value: str, style: str) -> tuple[int, int, int]:
    if style == "%Y-%m-%d":
        y, m, d = value.split("-")
    else:
        sep = style[2]
        d, m, y = value.split(sep)
    return int(y), int(m), int(d)


def _with_control_character(rng: np.random.Generator, value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    char = CONTROL_CHARACTERS[int(rng.integers(len(CONTROL_CHARACTERS)))]
    if not text:
        return f"RT{char}"
    i = int(rng.integers(1, len(text) + 1))
    return text[:i] + char + text[i:]
