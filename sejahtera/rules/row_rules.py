"""The names of the row rules (contract section 1): the values of ``quality.quarantine.rule``.

One vocabulary shared by the expectation suites, the quarantine writer, the quality report and the generator's
ground truth, so that "which rule did this row break" means the same everywhere.
"""

INVALID_DATE = "invalid_date"
"""A date that does not parse in the source's format, or does not exist (``31-02-1980``)."""

BIRTH_DATE_OUT_OF_RANGE = "birth_date_out_of_range"
"""A birth date in the future or more than 120 years back."""

UNKNOWN_REGION_CODE = "unknown_region_code"
"""A village code in neither the 2022 nor the 2025 Kemendagri list."""

CODE_NOT_IN_SET = "code_not_in_set"
"""A sex, relationship, flag or codebook value outside its set."""

CONTROL_CHARACTER = "control_character"
"""A control character in a text field (tab, line feed and carriage return are allowed)."""

DUPLICATE_RECORD_ID = "duplicate_record_id"
"""A source record id seen before in the same file set (every occurrence after the first)."""

MISSING_RECORD_ID = "missing_record_id"
"""A blank source record id: the row cannot be linked or traced back, so it cannot load."""

MEMBER_WITHOUT_HOUSEHOLD = "member_without_household"
"""A member whose household is not among the drop's accepted household rows."""

UNKNOWN_NIK_EVENT = "unknown_nik_event"
"""A Dukcapil event (other than LAHIR) for an NIK Dukcapil does not know."""

ALL = (
    INVALID_DATE,
    BIRTH_DATE_OUT_OF_RANGE,
    UNKNOWN_REGION_CODE,
    CODE_NOT_IN_SET,
    CONTROL_CHARACTER,
    DUPLICATE_RECORD_ID,
    MISSING_RECORD_ID,
    MEMBER_WITHOUT_HOUSEHOLD,
    UNKNOWN_NIK_EVENT,
)
