"""Property tests of the validators: the NIK rule's three executable forms agree, and a date written in a
source's format fails exactly when it is not a real date.

The GX verdicts come from the real path without the gate around it: generated values go into a raw table
(in-memory DuckDB), the validation frame is built by the real derived-column SQL, and the real suite from
``expectations/`` runs on it. One GX validation costs ~0.1-0.3 s, so examples are few and batches large.
"""

from __future__ import annotations

import datetime as dt

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.work_area import TODAY

from assets.extract.bookkeeping import CREATE_DROP, CREATE_DROP_FILE
from assets.validate.derived import FRAME_TABLE, EntityFrame
from assets.validate.gx_runner import GxRunner, Validation
from assets.validate.suites import EXPECTATIONS_DIR
from assets.validate.tables import create_work_tables
from sejahtera.reference import install, region_codes
from sejahtera.rules.nik import install_macros, nik_problem
from sejahtera.sources import SOURCES

DISTRICTS = sorted(region_codes().districts)
RUNNER = GxRunner(EXPECTATIONS_DIR, None, TODAY)
SQL = duckdb.connect()
install(SQL)
install_macros(SQL)
SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]


def validate_column(source: str, entity: str, column: str, values: list[str]) -> Validation:
    """Run ``<source>.<entity>``'s suite on rows whose ``column`` holds ``values`` (other columns blank)."""
    frame = EntityFrame(SOURCES[source], SOURCES[source].entity("full", entity))
    con = duckdb.connect()
    con.execute("CREATE SCHEMA work")
    con.execute(CREATE_DROP)  # extract's drops: work.ledger takes its columns
    con.execute(CREATE_DROP_FILE)  # extract's list of loaded files: the frame orders files as delivered
    create_work_tables(con)
    for other in SOURCES[source].all_entities:  # a member's frame reads its household file too
        declared = ", ".join(f"{c.key} VARCHAR" for c in other.columns)
        table = EntityFrame(SOURCES[source], other).raw_table
        con.execute(
            f"CREATE TABLE {table} (source VARCHAR, drop_id VARCHAR, file VARCHAR, row_number BIGINT, {declared})"
        )
    con.execute(
        f"INSERT INTO {frame.raw_table} (source, drop_id, file, row_number, {column}) "
        "SELECT ?, 'd', 'f.csv', i, v FROM (SELECT unnest(?) AS v, generate_subscripts(?, 1) AS i)",
        [source, values, values],
    )
    con.execute(frame.create_sql({c.key for c in frame.entity.columns}), frame.params("d"))
    _, columns, _ = RUNNER.suite(frame.suite_name)
    rows = con.sql(
        f"SELECT row_number, {', '.join(columns)} FROM {FRAME_TABLE} ORDER BY row_number"
    ).to_arrow_table()
    return RUNNER.validate(rows, frame.suite_name, label=f"property/{column}")


def failing(validation: Validation, *names: str) -> set[int]:
    return {row for o in validation.expectations if o.name in names for row in o.failing_rows}


nik_like = st.one_of(
    # near-valid NIKs: a real or bogus district, any day/month/year, a serial with zeros
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


@settings(max_examples=8, deadline=None, suppress_health_check=SLOW_OK)
@given(st.lists(nik_like, min_size=150, max_size=250))
def test_nik_rule_python_sql_and_gx_agree(values):
    python = [nik_problem(v, region_codes().districts) is None for v in values]
    sql = [
        row[0] is None
        for row in SQL.execute(
            "SELECT nik_problem(v) FROM (SELECT unnest(?) AS v, generate_subscripts(?, 1) AS i) ORDER BY i",
            [values, values],
        ).fetchall()
    ]
    warned = failing(
        validate_column("dtks", "anggota", "nik", values), "nik_malformed", "nik_unknown_district"
    )
    gx = [i + 1 not in warned for i in range(len(values))]
    assert python == sql
    assert python == gx


def real(day: int, month: int, year: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


@settings(max_examples=8, deadline=None, suppress_health_check=SLOW_OK)
@given(
    st.lists(
        st.tuples(st.integers(0, 39), st.integers(0, 19), st.integers(0, 9999)), min_size=150, max_size=250
    )
)
def test_a_dd_mm_yyyy_date_fails_exactly_when_it_is_not_a_real_date(parts):
    texts = [f"{d:02d}-{m:02d}-{y:04d}" for d, m, y in parts]
    invalid = failing(validate_column("dtks", "keluarga", "tgl_update", texts), "invalid_date")
    assert invalid == {i + 1 for i, (d, m, y) in enumerate(parts) if not real(d, m, y)}


def written_dd_mm_yyyy(text: str) -> bool:
    text = text.strip(" ")
    digits = text[:2] + text[3:5] + text[6:]
    return len(text) == 10 and text[2] == "-" and text[5] == "-" and digits.isdigit()


@settings(max_examples=8, deadline=None, suppress_health_check=SLOW_OK)
@given(st.lists(st.text(alphabet="0123456789-/ ", min_size=0, max_size=12), min_size=150, max_size=250))
def test_anything_not_written_dd_mm_yyyy_is_invalid_unless_blank(texts):
    invalid = failing(validate_column("dtks", "keluarga", "tgl_update", texts), "invalid_date")

    def ok(text: str) -> bool:
        if text.strip(" ") == "":
            return True  # a missing value is not a broken one
        t = text.strip(" ")
        return written_dd_mm_yyyy(t) and real(int(t[:2]), int(t[3:5]), int(t[6:]))

    assert invalid == {i + 1 for i, t in enumerate(texts) if not ok(t)}


@settings(max_examples=5, deadline=None, suppress_health_check=SLOW_OK)
@given(st.lists(st.dates(dt.date(1800, 1, 1), dt.date(2100, 12, 31)), min_size=150, max_size=250))
def test_a_birth_date_is_out_of_range_exactly_when_in_the_future_or_over_120_years_back(days):
    texts = [d.strftime("%d/%m/%Y") for d in days]
    out = failing(validate_column("p3ke", "individu", "tanggal_lahir", texts), "birth_date_out_of_range")
    oldest = TODAY.replace(year=TODAY.year - 120)
    assert out == {i + 1 for i, d in enumerate(days) if d > TODAY or d < oldest}
