"""Well-formed Indonesian identity numbers for synthetic people, written once for every test folder.

A NIK is the district of first registration (6 digits), the birth date as DDMMYY with 40 added to the day for
women, and a 4-digit serial; a KK number is the issuing district, an issue date and a serial. Tests choose the
serial so that hand-made cases and background towns never collide.
"""

from __future__ import annotations

import random
from datetime import date

DISTRICT = "320101"
"""Kec. Cibinong, Kab. Bogor: a real district of the 2025 decree."""


def nik(born: date | str = "1980-01-01", sex: str = "L", serial: int = 1, district: str = DISTRICT) -> str:
    """A well-formed NIK of a person born on ``born`` (ISO text or a date), ``sex`` ``"L"`` or ``"P"``."""
    day = date.fromisoformat(born) if isinstance(born, str) else born
    return (
        f"{district}{day.day + (40 if sex == 'P' else 0):02d}{day.month:02d}{day.year % 100:02d}{serial:04d}"
    )


def kk(serial: int, district: str = DISTRICT, issued: str = "010120") -> str:
    """A well-formed KK number: issuing district, issue date (DDMMYY), serial."""
    return f"{district}{issued}{serial:04d}"


MEN = ["AHMAD", "BUDI", "AGUS", "JOKO", "SLAMET", "EKO", "HENDRA", "RUDI", "WAHYU", "ANDI", "RIZKI", "FAJAR",
       "IRFAN", "ABDUL", "RAHMAT", "YUSUF", "HADI", "SUPARMAN", "SUTRISNO", "BAMBANG", "DEDI", "ASEP", "UJANG",
       "DADANG", "ARIF", "ILHAM", "HERU", "TEGUH", "BAYU", "DIMAS", "SURYA", "PUTRA", "PRATAMA", "KURNIAWAN"]  # fmt: skip
"""Men's given names of the synthetic towns (order matters: the towns draw from it with a seeded random)."""

WOMEN = ["SITI", "NUR", "SRI", "DEWI", "AMINAH", "FATIMAH", "RINA", "YANTI", "LESTARI", "WULAN", "PUTRI", "AYU",
         "INDAH", "RATNA", "HAYATI", "KARTINI", "SUMARNI", "SUPARMI", "ENDANG", "TUTI", "NINGSIH", "RAHAYU",
         "WATI", "ANI", "ANISA", "AISYAH", "ZAHRA", "NABILA", "MAYA", "LINDA", "YULI", "FITRI", "HANDAYANI"]  # fmt: skip
"""Women's given names of the synthetic towns."""


def family_members(
    rng: random.Random, district: str, serial: int, sizes: list[int]
) -> list[tuple[str, str, str, str, int]]:
    """One synthetic family as Dukcapil knows it: ``(nik, sex, dob, nama, hubungan)`` per member.

    The head and spouse are of an age and of opposite sex, children 20 to 31 years younger; the family's size is
    drawn from ``sizes``; NIK serials follow ``serial``. The background towns of the end-to-end and reconcile
    tests both build their families here, drawing from ``rng`` in this exact order.
    """
    head_year = rng.randrange(1950, 1995)
    members: list[tuple[str, str, str, str, int]] = []
    for i in range(rng.choice(sizes)):
        sex = rng.choice("LP") if i != 1 else ("P" if members[0][1] == "L" else "L")
        year = head_year + (rng.randrange(-4, 5) if i < 2 else rng.randrange(20, 32))
        dob = f"{min(year, 2024)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        tokens = rng.sample(MEN if sex == "L" else WOMEN, rng.choice([1, 2, 2, 3]))
        members.append((nik(dob, sex, serial + i + 1, district), sex, dob, " ".join(tokens), min(i + 1, 3)))
    return members
