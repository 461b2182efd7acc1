"""The SQL masking macros the registry uses in its follow-up lists agree with sejahtera.privacy's Python rules."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from sejahtera.privacy import install_masking_macros, mask_name, mask_number

CON = duckdb.connect()
install_masking_macros(CON)

names = st.text(alphabet=st.sampled_from("ABCSITUMAH.'- \t"), max_size=30)
numbers = st.text(alphabet="0123456789X", max_size=20)


@settings(max_examples=200, deadline=None)
@given(names)
def test_mask_name_sql_agrees_with_python(name: str) -> None:
    assert CON.execute("SELECT mask_name(?)", [name]).fetchall()[0][0] == mask_name(name)


@settings(max_examples=200, deadline=None)
@given(numbers)
def test_mask_number_sql_agrees_with_python(number: str) -> None:
    expected = mask_number(number)
    got = CON.execute("SELECT mask_number(?)", [number]).fetchall()[0][0]
    assert got == ("" if expected == "<empty>" else expected)


def test_missing_values_stay_missing_in_sql() -> None:
    assert CON.execute("SELECT mask_name(NULL), mask_number(NULL)").fetchall() == [(None, None)]
