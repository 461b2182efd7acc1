"""Recording errors on agency records (DTKS, Regsosek, P3KE): the row is valid and loads, but what it says about
the person is off. Every change made here is reported as a ``(uid, label)`` pair for ``record_noise.parquet``.

The labels: ``nik_typo``, ``nik_transposed``, ``nik_blank``, ``nik_placeholder``, ``nik_shared`` (a person record
carries at most one of these); ``name_variant``, ``name_format``, ``title``; ``dob_swapped``, ``dob_year_off``;
``kk_typo``, ``kk_blank`` (household records); ``split_spouse_identity`` (a blank NIK and a respelt name on the
record of an in-law whose family splits later: ``hard_identity``, :mod:`sejahtera.generate.family_records`).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from sejahtera.generate import names
from sejahtera.generate.config import NoiseConfig
from sejahtera.generate.days import day, ymd
from sejahtera.generate.population import CHILD, HEAD

Labels = list[tuple[int, str]]


def _pick(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    return np.flatnonzero(rng.random(n) < rate) if rate > 0 else np.array([], dtype=np.int64)


def one_digit_off(value: str, rng: np.random.Generator) -> str:
    i = int(rng.integers(len(value)))
    new = str((int(value[i]) + int(rng.integers(1, 10))) % 10)
    return value[:i] + new + value[i + 1 :]


def transposed(value: str, rng: np.random.Generator) -> str | None:
    """Two adjacent different digits swapped, or None when every pair is equal."""
    pairs = [i for i in range(len(value) - 1) if value[i] != value[i + 1]]
    if not pairs:
        return None
    i = pairs[int(rng.integers(len(pairs)))]
    return value[:i] + value[i + 1] + value[i] + value[i + 2 :]


def placeholder(value: str, rng: np.random.Generator) -> str:
    kind = int(rng.integers(4))
    if kind == 0:
        return "0" * 16
    if kind == 1:
        return str(int(rng.integers(1, 10))) * 16
    if kind == 2:
        return value[:6] + "0" * 10
    return value[:12] + "0000"


def person_noise(rng: np.random.Generator, frame: pd.DataFrame, noise: NoiseConfig, today: date) -> Labels:
    """Apply NIK, name and birth-date noise in place to ``frame`` (``_uid``, ``_rec_hh``, ``rel``, ``sex``,
    ``nik``, ``name``, ``birth``); ``nik`` may become None (blank)."""
    labels: Labels = []
    n = len(frame)
    if n == 0:
        return labels
    uid = frame["_uid"].to_numpy()
    nik = frame["nik"].to_numpy(dtype=object).copy()

    # NIK: at most one kind per record; a hard identity's is left blank below.
    hard = (
        np.flatnonzero(frame["hard_identity"].to_numpy(dtype=bool))
        if "hard_identity" in frame
        else np.array([], dtype=np.int64)
    )
    u = rng.random(n)
    u[hard] = 2.0
    kinds = [
        ("nik_typo", noise.nik_typo),
        ("nik_transposed", noise.nik_transposed),
        ("nik_blank", noise.nik_blank),
        ("nik_placeholder", noise.nik_placeholder),
    ]
    lo = 0.0
    for label, rate in kinds:
        chosen = np.flatnonzero((u >= lo) & (u < lo + rate))
        lo += rate
        for i in chosen:
            if label == "nik_typo":
                nik[i] = one_digit_off(nik[i], rng)
            elif label == "nik_transposed":
                swapped = transposed(nik[i], rng)
                if swapped is None:
                    continue
                nik[i] = swapped
            elif label == "nik_blank":
                nik[i] = None
            else:
                nik[i] = placeholder(nik[i], rng)
            labels.append((int(uid[i]), label))
    # A child given the head's NIK: only children whose own NIK was left alone.
    if noise.nik_shared > 0:
        touched = u < lo
        head_nik = pd.Series(
            nik[frame["rel"].to_numpy() == HEAD], index=frame.loc[frame["rel"] == HEAD, "_rec_hh"].to_numpy()
        )
        head_nik = head_nik[~head_nik.index.duplicated()]
        children = np.flatnonzero(
            (frame["rel"].to_numpy() == CHILD) & ~touched & (rng.random(n) < noise.nik_shared)
        )
        for i in children:
            shared = head_nik.get(frame["_rec_hh"].iat[i])
            if shared is not None and shared != nik[i]:
                nik[i] = shared
                labels.append((int(uid[i]), "nik_shared"))
    for i in hard:
        nik[i] = None
        labels.append((int(uid[i]), "split_spouse_identity"))
    frame["nik"] = nik

    # Names: a respelling, a title, careless typing (any combination).
    name = frame["name"].to_numpy(dtype=object).copy()
    sex = frame["sex"].to_numpy()
    adult = frame["birth"].to_numpy() <= day(today) - 25 * 365
    for i in _pick(rng, n, noise.name_variant):
        variant = names.spelling_variant(name[i], rng)
        if variant != name[i]:
            name[i] = variant
            labels.append((int(uid[i]), "name_variant"))
    for i in _pick(rng, n, noise.title):
        if adult[i]:
            name[i] = names.with_title(name[i], sex[i], rng)
            labels.append((int(uid[i]), "title"))
    for i in _pick(rng, n, noise.name_format):
        formatted = names.reformatted(name[i], rng)
        if formatted != name[i]:
            name[i] = formatted
            labels.append((int(uid[i]), "name_format"))
    for i in hard:
        variant = names.spelling_variant(name[i], rng)
        name[i] = variant if variant != name[i] else names.reformatted(name[i], rng)
    frame["name"] = name

    # Birth dates: day and month swapped (only when both are 12 or less and differ), or the year one off.
    birth = frame["birth"].to_numpy().copy()
    y, m, d = ymd(birth)
    latest = day(today)
    u = rng.random(n)
    for i in np.flatnonzero(u < noise.dob_swapped):
        if d[i] <= 12 and m[i] <= 12 and d[i] != m[i]:
            birth[i] = day(date(int(y[i]), int(d[i]), int(m[i])))
            labels.append((int(uid[i]), "dob_swapped"))
    for i in np.flatnonzero((u >= noise.dob_swapped) & (u < noise.dob_swapped + noise.dob_year_off)):
        if m[i] == 2 and d[i] == 29:
            continue
        shift = -1 if rng.random() < 0.5 else 1
        candidate = day(date(int(y[i]) + shift, int(m[i]), int(d[i])))
        if candidate > latest:
            candidate = day(date(int(y[i]) - 1, int(m[i]), int(d[i])))
        birth[i] = candidate
        labels.append((int(uid[i]), "dob_year_off"))
    frame["birth"] = birth
    return labels


def household_noise(rng: np.random.Generator, frame: pd.DataFrame, noise: NoiseConfig) -> Labels:
    """KK typos and blanks on household records (``_uid``, ``kk``); ``kk`` may become None."""
    labels: Labels = []
    n = len(frame)
    kk = frame["kk"].to_numpy(dtype=object).copy()
    uid = frame["_uid"].to_numpy()
    u = rng.random(n)
    for i in np.flatnonzero(u < noise.kk_typo):
        kk[i] = one_digit_off(kk[i], rng)
        labels.append((int(uid[i]), "kk_typo"))
    for i in np.flatnonzero((u >= noise.kk_typo) & (u < noise.kk_typo + noise.kk_blank)):
        kk[i] = None
        labels.append((int(uid[i]), "kk_blank"))
    frame["kk"] = kk
    return labels
