"""DuckDB's memory limit, threads and spill folder come from the environment, on every connection the pipeline
opens: the warehouse and the in-memory scratch databases of linkage and training."""

from __future__ import annotations

from pathlib import Path

import pytest

from assets.reconcile.linkage import scratch_database
from sejahtera import engine, warehouse


def settings_of(con) -> tuple[str, int, str]:
    return con.execute(
        "SELECT current_setting('memory_limit'), current_setting('threads'), current_setting('temp_directory')"
    ).fetchone()


def one_thread_spilling_to(monkeypatch: pytest.MonkeyPatch, memory_limit: str, spill: Path) -> None:
    """The environment an operator sets: DuckDB's memory limit, one thread, the spill folder."""
    monkeypatch.setenv(engine.MEMORY_LIMIT_ENV, memory_limit)
    monkeypatch.setenv(engine.THREADS_ENV, "1")
    monkeypatch.setenv(engine.TEMP_DIR_ENV, str(spill))


def test_the_environment_sets_memory_threads_and_spill_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    one_thread_spilling_to(monkeypatch, "300MB", tmp_path / "spill")

    with warehouse.connect(tmp_path / "wh.duckdb") as con:
        limit, threads, temp = settings_of(con)
    scratch = scratch_database()
    try:
        assert settings_of(scratch) == (limit, threads, temp)
    finally:
        scratch.close()

    assert limit.replace(" ", "") in {"300.0MB", "286.1MiB"}
    assert threads == 1
    assert Path(temp) == tmp_path / "spill" and Path(temp).is_dir()


def test_defaults_leave_room_for_python_and_spill_outside_the_current_folder(monkeypatch: pytest.MonkeyPatch):
    for name in (engine.MEMORY_LIMIT_ENV, engine.THREADS_ENV, engine.TEMP_DIR_ENV):
        monkeypatch.delenv(name, raising=False)

    config = engine.duckdb_config()

    assert config["memory_limit"].endswith("MB") and int(config["memory_limit"][:-2]) >= 256
    assert int(config["threads"]) >= 1
    assert Path(config["temp_directory"]).is_absolute()


def test_a_query_larger_than_the_limit_spills_instead_of_failing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    one_thread_spilling_to(monkeypatch, "64MB", tmp_path / "spill")

    with warehouse.connect(tmp_path / "wh.duckdb") as con:
        distinct = con.execute(
            "SELECT count(*) FROM (SELECT DISTINCT i, md5(i::VARCHAR) FROM range(3000000) t(i))"
        ).fetchone()[0]

    assert distinct == 3_000_000
