"""Property tests of the validators: the NIK rule's three executable forms agree, and a date written in a
source's format fails exactly when it is not a real date.

The GX forms run the real suites from ``expectations/`` through the runner, a batch of generated values per
example (one GX validation costs ~0.1 s, so examples are few and batches are large).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from validate_kit import TODAY, dtks_keluarga, run_gate

from assets.validate.gx_runner import GxRunner
from assets.validate.suites import EXPECTATIONS_DIR
from sejahtera.reference import install, region_codes
from sejahtera.rules.nik import install_macros, nik_problem

DISTRICTS = sorted(region_codes().districts)
_RUNNER = GxRunner(EXPECTATIONS_DIR, None, TODAY)
_SQL = duckdb.connect()
install(_SQL)
install_macros(_SQL)

digits = st.text(alphabet="0123456789", min_size=1, max_size=2)
nik_like = st.one_of(
    # near-valid NIKs: a real or bogus district, any day/month/year, serial with zeros
    st.builds(
        lambda district, day, month, yy, serial: f"{district}{day:02d}{month:02d}{yy:02d}{serial:04d}",
        st.one_of(st.sampled_from(DISTRICTS), st.text(alphabet="0123456789", min_size=6, max_size=6)),
        st.integers(0, 99),
        st.integers(0, 99),
        st.integers(0, 99),
        st.integers(0, 9999) | st.just(0),
    ),
    st.text(alphabet="0123456789", min_size=14, max_size=18),
    st.text(alphabet="0123456789 -.xX", min_size=16, max_size=16),
    st.just("0" * 16),
)


def _gx_nik_verdicts(values: list[str]) -> list[bool]:
    """Per value: True when the dukcapil.penduduk suite raises no NIK-syntax warning (regex + district)."""
    frame = pd.DataFrame(
        {
            "row_number": range(1, len(values) + 1),
            "nik": values,
            "nik__district": [v[:6] if len(v) == 16 and v.isdigit() else None for v in values],
        }
    )
    frame["nik__district"] = frame["nik__district"].astype("str")
    frame.loc[[not (len(v) == 16 and v.isdigit()) for v in values], "nik__district"] = None
    _, _, data = _RUNNER.suite("dukcapil.penduduk")
    keep = [
        i
        for i, e in enumerate(data["expectations"])
        if e["meta"].get("warning") in ("nik_malformed", "nik_unknown_district")
    ]
    assert len(keep) == 2
    validation = _RUNNER.validate(_subset(frame, data, keep), "dukcapil.penduduk", label="property/nik")
    failing = {row for o in validation.expectations if o.index in keep for row in o.failing_rows}
    return [i + 1 not in failing for i in range(len(values))]


def _subset(frame: pd.DataFrame, data: dict, keep: list[int]) -> pd.DataFrame:
    """The frame with every other column the suite reads present and empty (those expectations pass)."""
    columns = {c for e in data["expectations"] for c in _columns(e)}
    for column in columns - set(frame.columns):
        frame[column] = None
    return frame


def _columns(expectation: dict) -> list[str]:
    kwargs = expectation["kwargs"]
    names = [kwargs.get(k) for k in ("column", "column_A", "column_B")]
    names.append(((kwargs.get("row_condition") or {}).get("column") or {}).get("name"))
    return [n for n in names if n]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(st.lists(nik_like, min_size=100, max_size=200))
def test_nik_rule_python_sql_and_gx_agree(values):
    python = [nik_problem(v, region_codes().districts) is None for v in values]
    sql = [
        row[0] is None
        for row in _SQL.execute(
            "SELECT nik_problem(v) FROM (SELECT unnest(?) AS v, generate_subscripts(?, 1) AS i) ORDER BY i",
            [values, values],
        ).fetchall()
    ]
    gx = _gx_nik_verdicts(values)
    assert python == sql
    assert python == gx


def _real(day: int, month: int, year: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


date_parts = st.tuples(st.integers(0, 39), st.integers(0, 19), st.integers(0, 9999))


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(st.lists(date_parts, min_size=150, max_size=200))
def test_a_dd_mm_yyyy_date_fails_exactly_when_it_is_not_a_real_date(work_area_factory, parts):
    """Through the whole gate: TGL_UPDATE written DD-MM-YYYY is quarantined as invalid_date iff not real."""
    area = work_area_factory()
    texts = [f"{d:02d}-{m:02d}-{y:04d}" for d, m, y in parts]
    area.add_drop(
        "dtks", "20261115", {"keluarga": [dtks_keluarga(f"K{i}", TGL_UPDATE=t) for i, t in enumerate(texts)]}
    )
    run_gate(area, max_share=1.0)
    invalid = {r[0] for r in area.query("SELECT row_number FROM work.quarantine WHERE rule = 'invalid_date'")}
    assert invalid == {i + 1 for i, (d, m, y) in enumerate(parts) if not _real(d, m, y)}
    assert area.query("SELECT count(*) FROM work.quarantine WHERE rule <> 'invalid_date'") == [(0,)]


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.text(alphabet="0123456789-/ ", min_size=0, max_size=12), min_size=100, max_size=150))
def test_anything_that_is_not_dd_mm_yyyy_is_invalid_unless_blank(work_area_factory, texts):
    area = work_area_factory()
    area.add_drop(
        "dtks", "20261115", {"keluarga": [dtks_keluarga(f"K{i}", TGL_UPDATE=t) for i, t in enumerate(texts)]}
    )
    run_gate(area, max_share=1.0)
    invalid = {r[0] for r in area.query("SELECT row_number FROM work.quarantine WHERE rule = 'invalid_date'")}

    def ok(text: str) -> bool:
        text = text.strip(" ")
        if text == "":
            return True  # a missing value is not a broken one
        if (
            len(text) != 10
            or text[2] != "-"
            or text[5] != "-"
            or not (text[:2] + text[3:5] + text[6:]).isdigit()
        ):
            return False
        return _real(int(text[:2]), int(text[3:5]), int(text[6:]))

    assert invalid == {i + 1 for i, t in enumerate(texts) if not ok(t)}
