"""Masking keeps what an operator needs to find a record and hides what identifies the person."""

import duckdb
from hypothesis import given
from hypothesis import strategies as st

from sejahtera.privacy import mask_name, mask_number, masked_sql


def test_nik_keeps_region_prefix_and_serial_only():
    assert mask_number("3201014506900001") == "3201********0001"


def test_short_or_odd_numbers_are_masked_whole():
    assert mask_number("12345") == "*****"
    assert mask_number("") == "<empty>"
    assert mask_number(None) == "<none>"


def test_name_keeps_initials_only():
    assert mask_name("SITI  AMINAH") == "S*** A*****"


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
