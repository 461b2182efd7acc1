"""Well-formed Indonesian identity numbers for synthetic people, written once for every test folder.

A NIK is the district of first registration (6 digits), the birth date as DDMMYY with 40 added to the day for
women, and a 4-digit serial; a KK number is the issuing district, an issue date and a serial. Tests choose the
serial so that hand-made cases and background towns never collide.
"""

from __future__ import annotations

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
