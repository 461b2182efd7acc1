"""The one SQL loader every stage uses: scripts split at statement ends (not at a ``;`` closing a comment),
named statements, and each statement bound exactly the parameters it uses."""

from __future__ import annotations

import duckdb
import pytest

from sejahtera.sql_files import SqlFolder, script_statements


@pytest.fixture
def folder(tmp_path):
    sql = tmp_path / "sql"
    sql.mkdir()
    (sql / "script.sql").write_text(
        "-- a comment that ends like a statement;\n"
        "CREATE TABLE t (run_id VARCHAR, n INTEGER);\n"
        "-- kinds:\n--   one;  two;\n"
        "INSERT INTO t VALUES ($run_id, 1), ($run_id, 2);\n"
        "INSERT INTO t SELECT 'fixed', 3\n;\n",
        encoding="utf-8",
    )
    (sql / "named.sql").write_text(
        "-- name: count_of\nSELECT count(*) FROM t WHERE run_id = $run_id;\n\n"
        "-- name: everything\nSELECT n FROM t ORDER BY n;\n",
        encoding="utf-8",
    )
    return SqlFolder(sql)


def test_a_script_runs_every_statement_with_the_parameters_each_uses(folder):
    con = duckdb.connect()
    folder.run_file(con, "script", {"run_id": "r1", "unused": 7})
    assert con.execute("SELECT run_id, n FROM t ORDER BY n").fetchall() == [
        ("r1", 1),
        ("r1", 2),
        ("fixed", 3),
    ]


def test_comment_lines_ending_in_a_semicolon_do_not_split_a_statement():
    text = "SELECT 1 AS a,\n-- note;\n2 AS b;\n-- trailing;\n"
    assert script_statements(text) == ["SELECT 1 AS a,\n-- note;\n2 AS b;"]


def test_named_statements_bind_only_their_parameters_and_name_a_missing_one(folder):
    con = duckdb.connect()
    folder.run_file(con, "script", {"run_id": "r1"})
    assert folder.run(con, "count_of", run_id="r1", other=1).fetchone() == (2,)
    assert [n for (n,) in folder.run(con, "everything").fetchall()] == [1, 2, 3]
    with pytest.raises(KeyError, match=r"count_of.*run_id"):
        folder.run(con, "count_of")


def test_a_statement_name_defined_twice_is_refused(tmp_path):
    sql = tmp_path / "twice"
    sql.mkdir()
    (sql / "a.sql").write_text("-- name: same\nSELECT 1;\n", encoding="utf-8")
    (sql / "b.sql").write_text("-- name: same\nSELECT 2;\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'same' is defined twice"):
        SqlFolder(sql).statements()
