"""'Name alike' and 'birth date consistent': the one definition of a consistent identity (contract section 3)."""

import string
from datetime import date

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assets.reconcile.identity import install_identity_macros
from assets.reconcile.names import standardise_name

_SHARED = duckdb.connect()
install_identity_macros(_SHARED)


@pytest.fixture
def con():
    return _SHARED


def alike(con, a: str, b: str) -> bool:
    x, y = standardise_name(a), standardise_name(b)
    return con.execute(
        "SELECT name_alike(?, ?, ?, ?, ?, ?)", [x.nama, y.nama, x.key, y.key, x.skeleton, y.skeleton]
    ).fetchall()[0][0]


def consistent(con, a: str, b: str) -> bool:
    return con.execute(
        "SELECT birth_date_consistent(?::DATE, ?::DATE)", [date.fromisoformat(a), date.fromisoformat(b)]
    ).fetchall()[0][0]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("SITI AMINAH", "SITTI AMINAH"),
        ("Hj. Siti Aminah, S.Pd", "SITI AMINAH"),
        ("NURHAYATI", "NUR HAYATI"),
        ("SITI", "SITI AMINAH"),  # one name's tokens among the other's
        ("AMINAH SITI", "SITI AMINAH"),
        ("SITI AMINAH", "SITI AMINA"),  # one letter off in a long token
        ("MUHAMMAD RIZKI", "MOCH. RIZKY"),
        ("BAMBANG WIJAYAKUSUMA", "BAMBANG WIJAYAKUSUMAH"),
        ("DDANG", "DADANG"),  # a dropped vowel
        ("IWN", "IWAN"),
        ("AJU", "AYU"),  # old spelling j for y
        ("TOPIK", "TAUFIK"),  # a regional pronunciation
        ("PUTRI NAYLAH", "PUTRI NAYLA"),
        ("IAN", "IWAN"),  # a letter dropped, even in a short name
        ("PRASETJO", "PRASETYO"),  # old spelling: J for Y after a T (TJ is also the old C)
        ("TJAHJO", "CAHYO"),
        ("SOETJIPTO", "SUCIPTO"),
        ("S. AMINAH", "SITI AMINAH"),  # an initial for a first name
        ("A. RAHMAN", "ABDUL RAHMAN"),
        ("BUDI S", "BUDI SANTOSO"),  # an initial for a last name
        ("ST. AMINAH", "SITI AMINAH"),  # the usual abbreviation of Siti
        ("AHMAD (ALM)", "AHMAD"),  # almarhum: the deceased marker is not a name
        ("WIBOO", "WIBOWO"),  # a consonant dropped between two equal vowels (the key keeps the OO)
        ("FAAH", "FARAH"),
        ("FTJAR", "FAJAR"),  # a typo that folding widens (TJ is the old C): alike as written
        ("NJANG", "UJANG"),
        ("AIIYAH", "AISYAH"),
    ],
)
def test_names_that_are_alike(con, a, b):
    assert alike(con, a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("SITI AMINAH", "SITI RAHMA"),  # sisters share a first name
        ("RINA", "RUDI"),  # two letters apart in a short name
        ("BUDI SANTOSO", "AGUS SANTOSO"),
        ("DEWI", "WULAN"),
        ("S. AMINAH", "RINA AMINAH"),  # an initial stands for a name with that letter only
        ("A", "ANI"),  # a lone initial is no name to compare
    ],
)
def test_names_that_are_not_alike(con, a, b):
    assert not alike(con, a, b)


def test_a_missing_name_is_never_alike(con):
    assert con.execute("SELECT name_alike(NULL, 'SITI', NULL, 'SITI', NULL, 'ST')").fetchall()[0][0] is False
    # A name without a letter has no key: what was written in its place ("-", "?") is never compared.
    assert con.execute("SELECT name_alike('-', '-', NULL, NULL, NULL, NULL)").fetchall()[0][0] is False


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1980-03-05", "1980-03-05", True),
        ("1980-03-05", "1980-05-03", True),  # day and month swapped
        ("1980-03-05", "1981-03-05", True),  # one year off
        ("1980-03-05", "1979-03-05", True),
        ("1980-03-05", "1982-03-05", False),
        ("1980-03-05", "1980-03-06", False),
        ("1980-03-05", "1981-05-03", False),  # swapped AND a year off is two errors
    ],
)
def test_birth_dates_consistent_per_the_contract(con, a, b, expected):
    assert consistent(con, a, b) is expected


tokens = st.lists(st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=8), min_size=1, max_size=4)


@given(tokens, tokens)
def test_name_alike_is_symmetric(a, b):
    x, y = standardise_name(" ".join(a)), standardise_name(" ".join(b))
    forward, backward = _SHARED.execute(
        "SELECT name_alike(?, ?, ?, ?, ?, ?), name_alike(?, ?, ?, ?, ?, ?)",
        [
            x.nama,
            y.nama,
            x.key,
            y.key,
            x.skeleton,
            y.skeleton,
            y.nama,
            x.nama,
            y.key,
            x.key,
            y.skeleton,
            x.skeleton,
        ],
    ).fetchall()[0]
    assert forward == backward


@given(tokens)
def test_a_name_is_alike_itself(a):
    x = " ".join(a)
    assert _SHARED.execute("SELECT name_alike(?, ?, ?, ?, NULL, NULL)", [x, x, x, x]).fetchall()[0][0]
