"""The names of the identity warnings: the values of ``meta.warning`` in the expectation suites.

Contract section 1: NIK and KK problems are NOT row rules. A record with a blank, malformed, placeholder or
mistyped NIK loads, and reconciliation's ``nik_status`` says what is wrong. The suites still count them, under
these names, so that an agency sees how many of its identity numbers need fixing (quality report, asset checks).
"""

NIK_MISSING = "nik_missing"
"""The NIK is blank."""

NIK_MALFORMED = "nik_malformed"
"""The NIK does not have the shape of :data:`sejahtera.rules.nik.NIK_PATTERN` (16 digits, day 01-31 or 41-71,
month 01-12, serial not 0000)."""

NIK_UNKNOWN_DISTRICT = "nik_unknown_district"
"""The NIK's first six digits are in neither the 2022 nor the 2025 district list."""

NIK_IMPOSSIBLE_DATE = "nik_impossible_date"
"""The NIK encodes a birth date that does not exist (day 30 of February): still well-formed, only a hint."""

NIK_BIRTH_DATE_MISMATCH = "nik_birth_date_mismatch"
"""The birth date encoded in the NIK (DDMMYY) differs from the recorded birth date."""

NIK_SEX_MISMATCH = "nik_sex_mismatch"
"""The sex encoded in the NIK (day + 40 for women) differs from the recorded sex."""

NIK_REPEATED = "nik_repeated"
"""The NIK was already used by an earlier row of the same drop (two people sharing one NIK, or a duplicate)."""

KK_MALFORMED = "kk_malformed"
"""The KK number does not have the shape of :data:`sejahtera.rules.nik.KK_PATTERN`."""

KK_UNKNOWN_DISTRICT = "kk_unknown_district"
"""The KK number's first six digits (the issuing office) are in neither district list."""

ALL = (
    NIK_MISSING,
    NIK_MALFORMED,
    NIK_UNKNOWN_DISTRICT,
    NIK_IMPOSSIBLE_DATE,
    NIK_BIRTH_DATE_MISMATCH,
    NIK_SEX_MISMATCH,
    NIK_REPEATED,
    KK_MALFORMED,
    KK_UNKNOWN_DISTRICT,
)
