"""The slips agencies make when they write a person down, for the synthetic background towns.

The two towns (``agency_drops.background`` and ``snapshots.training_population``) draw their slips from these
functions in the same order, each with its own name-slip shares and its own birth-date slips: their tests were
written against the exact populations those draws give, so the shares stay as they were.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

DateSlip = Callable[[random.Random, float, date], date | None]
"""A town's own birth-date slips: given the draw already made for this person, the slipped date or None."""


def slipped_nik(rng: random.Random, nik: str, head_nik: str) -> str | None:
    """5 % no NIK, 3 % one digit of the serial wrong, 2 % the household head's NIK; else as Dukcapil has it."""
    r = rng.random()
    if r < 0.05:
        return None
    if r < 0.08:
        i = rng.randrange(12, 16)
        return nik[:i] + str((int(nik[i]) + 1) % 10) + nik[i + 1 :]
    if r < 0.10:
        return head_nik
    return nik


def slipped_name(rng: random.Random, nama: str, shares: tuple[float, float, float, float]) -> str:
    """A title or a regional spelling, ``H.`` in front, only the first name, a letter dropped: at the cumulative
    ``shares``; else the name as Dukcapil has it."""
    titled, hajj, first_only, dropped = shares
    r = rng.random()
    if r < titled:
        return nama.replace("SITI", "SITTI").replace("HAYATI", "HAJATI") + ", S.PD"
    if r < hajj:
        return "H. " + nama.title()
    if r < first_only and " " in nama:
        return nama.split()[0]
    if r < dropped and len(nama) > 4:
        i = rng.randrange(1, len(nama) - 1)
        return nama[:i] + nama[i + 1 :]
    return nama


def slipped_person(
    rng: random.Random,
    nik: str,
    nama: str,
    dob: str,
    head_nik: str,
    *,
    name_shares: tuple[float, float, float, float],
    date_slip: DateSlip,
) -> tuple[str | None, str, str]:
    """One agency's record of a person: NIK, name and birth date each maybe slipped, drawn in that order.

    5 % of birth dates with a day up to 12 have day and month swapped (both towns); the rest of the same draw
    goes to the town's ``date_slip``, so each town keeps the exact population its tests were written against.
    """
    nik_written = slipped_nik(rng, nik, head_nik)
    nama_written = slipped_name(rng, nama, name_shares)
    d = date.fromisoformat(dob)
    r = rng.random()
    if r < 0.05 and d.day <= 12:
        return nik_written, nama_written, date(d.year, d.day, d.month).isoformat()
    slipped = date_slip(rng, r, d)
    return nik_written, nama_written, slipped.isoformat() if slipped else dob
