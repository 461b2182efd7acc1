"""A quarantine detail never shows an NIK-like number, however the agency grouped its digits."""

from __future__ import annotations

import duckdb
import pytest

from assets.validate.quarantine import shown_sql


@pytest.mark.parametrize(
    "value",
    [
        "3201010101800001",
        "3201-0101-0180-0001",
        "3201 0101 0180 0001",
        "3201.0101.0180.0001",
        "NIK 3201/0101/0180/0001 (typed by hand)",
    ],
)
def test_a_grouped_nik_is_masked_in_a_detail(value: str) -> None:
    (detail,) = (
        duckdb.connect().execute(f"SELECT {shown_sql('v')} FROM (SELECT ?::VARCHAR AS v)", [value]).fetchone()
    )
    digits = "".join(ch for ch in detail if ch.isdigit())
    assert "01010180" not in digits and "0101-0180" not in detail and "0101 0180" not in detail
    assert detail.startswith("'") and "*" in detail


def test_short_numbers_and_text_are_shown_as_delivered() -> None:
    (detail,) = (
        duckdb.connect()
        .execute(f"SELECT {shown_sql('v')} FROM (SELECT ?::VARCHAR AS v)", ["RT 003/RW 012"])
        .fetchone()
    )
    assert detail == "'RT 003/RW 012'"
