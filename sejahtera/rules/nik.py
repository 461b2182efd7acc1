"""The NIK and KK syntax rules (contract section 3, domain.md).

NIK: ``PP KK CC DD MM YY SSSS``. Malformed when it is not 16 digits, is all zeros, has serial ``0000``, has a
district prefix in neither the 2022 nor the 2025 list, a day outside 01-31 and 41-71 (women add 40), or a
month outside 01-12. An impossible calendar date (day 30 of month 02) is still well-formed: the date encoded
in an NIK is a hint that Dukcapil never corrects, so it is flagged elsewhere, never used to reject.

KK: 16 digits, not all zeros, serial not ``0000``, issued by a known district (its first 6 digits).

The rule exists in two executable forms that must agree (a property test holds them together):
:func:`nik_problem` for single values, and the DuckDB macros from :func:`install_macros` for whole tables.
Both are built from the constants below; the expectation suites take :data:`NIK_PATTERN` as a parameter.
"""

from __future__ import annotations

import re
from collections.abc import Set

import duckdb

NIK_PATTERN = (
    r"^[0-9]{6}(0[1-9]|[12][0-9]|3[01]|4[1-9]|[56][0-9]|7[01])(0[1-9]|1[0-2])[0-9]{2}"
    r"(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})$"
)
"""Shape of a well-formed NIK apart from the district prefix (RE2 and Python compatible: no look-arounds)."""

KK_PATTERN = r"^[0-9]{12}(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})$"

# Why an NIK is malformed, first failing reason wins in this order.
NOT_16_DIGITS = "not_16_digits"
ALL_ZEROS = "all_zeros"
UNKNOWN_DISTRICT = "unknown_district"
DAY_OUT_OF_RANGE = "day_out_of_range"
MONTH_OUT_OF_RANGE = "month_out_of_range"
SERIAL_ZERO = "serial_zero"

_DIGITS16 = re.compile(r"^[0-9]{16}$")


def nik_problem(nik: str | None, districts: Set[str]) -> str | None:
    """Why ``nik`` is malformed, or None when it is well-formed (None in, None out: missing is not malformed)."""
    return _card_number_problem(nik, districts, carries_birth_date=True)


def kk_problem(kk: str | None, districts: Set[str]) -> str | None:
    """Why a KK number is malformed, or None when it is well-formed or missing."""
    return _card_number_problem(kk, districts, carries_birth_date=False)


def _card_number_problem(number: str | None, districts: Set[str], *, carries_birth_date: bool) -> str | None:
    """The first rule a 16-digit NIK or KK number breaks, always checked in the same order.

    NIK and KK share the layout (district of issue in digits 1-6, serial in 13-16); only a NIK carries the birth
    day (+40 for women) and month in digits 7-10, so one function checks both and no rule can drift apart.
    """
    if number is None or number == "":
        return None
    if not _DIGITS16.match(number):
        return NOT_16_DIGITS
    if number == "0" * 16:
        return ALL_ZEROS
    if number[:6] not in districts:
        return UNKNOWN_DISTRICT
    if carries_birth_date:
        day = int(number[6:8])
        if not (1 <= day <= 31 or 41 <= day <= 71):
            return DAY_OUT_OF_RANGE
        if not 1 <= int(number[8:10]) <= 12:
            return MONTH_OUT_OF_RANGE
    if number[12:] == "0000":
        return SERIAL_ZERO
    return None


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``nik_problem(x)`` and ``kk_problem(x)`` macros over ``ref.region`` (install the reference first)."""
    common = """
        CASE
          WHEN {x} IS NULL OR {x} = '' THEN NULL
          WHEN NOT regexp_full_match({x}, '[0-9]{{16}}') THEN '{not16}'
          WHEN {x} = '0000000000000000' THEN '{zeros}'
          WHEN left({x}, 6) NOT IN (SELECT kode FROM ref.region WHERE tingkat = 'kecamatan') THEN '{district}'
    """
    nik_sql = (
        common
        + """
          WHEN NOT (CAST(substr({x}, 7, 2) AS INTEGER) BETWEEN 1 AND 31
                    OR CAST(substr({x}, 7, 2) AS INTEGER) BETWEEN 41 AND 71) THEN '{day}'
          WHEN NOT CAST(substr({x}, 9, 2) AS INTEGER) BETWEEN 1 AND 12 THEN '{month}'
          WHEN right({x}, 4) = '0000' THEN '{serial}'
          ELSE NULL
        END"""
    )
    kk_sql = (
        common
        + """
          WHEN right({x}, 4) = '0000' THEN '{serial}'
          ELSE NULL
        END"""
    )
    names = dict(
        x="x",
        not16=NOT_16_DIGITS,
        zeros=ALL_ZEROS,
        district=UNKNOWN_DISTRICT,
        day=DAY_OUT_OF_RANGE,
        month=MONTH_OUT_OF_RANGE,
        serial=SERIAL_ZERO,
    )
    con.execute(f"CREATE OR REPLACE MACRO nik_problem(x) AS ({nik_sql.format(**names)})")
    con.execute(f"CREATE OR REPLACE MACRO kk_problem(x) AS ({kk_sql.format(**names)})")
