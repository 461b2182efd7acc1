"""Masking keeps what an operator needs to find a record and hides what identifies the person."""

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from sejahtera.privacy import NUMBER_RUN, NUMBER_RUN_SQL, mask_name, mask_number, masked_sql, scrub


def test_nik_keeps_region_prefix_and_serial_only():
    assert mask_number("3201014506900001") == "3201********0001"


def test_short_or_odd_numbers_are_masked_whole():
    assert mask_number("12345") == "*****"
    assert mask_number("") == "<empty>"
    assert mask_number(None) == "<none>"


def test_name_keeps_initials_only():
    assert mask_name("SITI  AMINAH") == "S*** A*****"


@settings(deadline=None)  # a DuckDB connection per example: slow on a loaded machine, never wrong
@given(st.text(alphabet="0123456789", min_size=0, max_size=20))
def test_sql_masking_matches_python(value):
    con = duckdb.connect()
    sql_masked = con.execute(f"SELECT {masked_sql('x')} FROM (SELECT ?::VARCHAR AS x)", [value]).fetchall()[
        0
    ][0]
    expected = mask_number(value) if value else ""
    assert sql_masked == expected


@given(st.text(alphabet="0123456789", min_size=12, max_size=20))
def test_masked_numbers_never_show_the_birth_date_digits(value):
    masked = mask_number(value)
    assert masked[4:-4] == "*" * (len(value) - 8)


@given(
    digits=st.text(alphabet="0123456789", min_size=16, max_size=16),
    separator=st.sampled_from(["-", " ", ".", "/", ""]),
    before=st.sampled_from(["", "Could not convert string ", "row 7: NIK ", "value: "]),
    after=st.sampled_from(["", " to INT32", "; next", " (row 3)"]),
)
def test_scrub_masks_an_nik_however_it_is_grouped(digits, separator, before, after):
    written = separator.join(digits[i : i + 4] for i in range(0, 16, 4))
    scrubbed = scrub(before + written + after)
    assert written not in scrubbed
    assert digits[4:12] not in scrubbed.replace(separator, "") if separator else digits[4:12] not in scrubbed
    assert mask_number(digits) in scrubbed


def test_scrub_keeps_dates_times_and_short_numbers():
    message = "drop 20261203 at 2026-12-03 13:15:22, row 1234567 of 2,000,000"
    assert scrub(message) == message


@settings(deadline=None)
@given(
    digits=st.text(alphabet="0123456789", min_size=16, max_size=16),
    separator=st.sampled_from(["-", " ", ".", "/"]),
)
def test_sql_pattern_finds_the_same_grouped_numbers(digits, separator):
    written = separator.join(digits[i : i + 4] for i in range(0, 16, 4))
    con = duckdb.connect()
    found = con.execute("SELECT regexp_matches(?, ?)", [f"x {written} y", NUMBER_RUN_SQL]).fetchone()[0]
    assert found and NUMBER_RUN.search(f"x {written} y")


def test_scrub_keeps_the_names_in_a_programming_error_and_masks_data_elsewhere():
    from sejahtera.privacy import scrub

    bug = "'RulesResource' object has no attribute 'rules'"
    assert scrub(bug, "AttributeError") == bug
    assert scrub("Could not convert string 'SITI AMINAH' to INT32", "ConversionException") != (
        "Could not convert string 'SITI AMINAH' to INT32"
    )
    assert "3201010101800001" not in scrub("no attribute 'x3201010101800001'", "AttributeError")
