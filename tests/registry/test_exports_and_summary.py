"""Province exports (tokenised NIK/KK, formula-safe CSV) and the end-of-run summary (counts, no personal data)."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.registry_world import POOR_SURVEY, RunRegistry, World
from support.surveys import MIDDLE_SURVEY

from assets.registry.exports import (
    ExportRefused,
    export_provinces,
    hmac_pads,
    neutralise,
    neutralised_sql,
    token,
    token_sql,
)
from assets.registry.summary import registry_summary
from sejahtera import warehouse

KEY = b"a-test-key-that-is-long-enough"
HOSTILE_NAMES = ['=HYPERLINK("http://x")', "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR"]


def _world(world: World) -> World:
    java = world.household(survey=POOR_SURVEY, dtks={"pkh": True})
    for i, name in enumerate(HOSTILE_NAMES):
        java.person(name, date(1980, 1, 1 + i))
    bali = world.household(kode_wilayah="5101012001", survey=MIDDLE_SURVEY, dtks={"pbi": True})
    bali.person("I WAYAN", date(1975, 1, 1))
    bali.person("NI MADE", date(1940, 1, 1), "P", alive=False, died=date(2026, 1, 1))
    return world


@pytest.fixture
def run_1(world: World, run_registry: RunRegistry) -> None:
    """This file's world (hostile names in Java, a household in Bali), published by run-1."""
    _world(world)
    run_registry(world, "run-1")


def _cells(folder: Path) -> list[str]:
    cells = []
    for path in folder.rglob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                cells += row
    return cells


def test_exports_hold_tokens_not_niks_and_no_formula_cells(
    world: World, warehouse_path: Path, run_1: None, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    with warehouse.connect(warehouse_path, read_only=True) as con:
        result = export_provinces(con, folder, key=KEY, run_id="run-1")
    assert result.provinces == {"32": {"households": 1, "persons": 6}, "51": {"households": 1, "persons": 2}}
    assert sorted(p.name for p in (folder / "provinsi_32").iterdir()) == [
        "households.csv", "households.parquet", "persons.csv", "persons.parquet",
    ]  # fmt: skip

    raw_numbers = {p.nik for p in world.persons} | {h.no_kk for h in world.households}
    everything = "".join(p.read_text(encoding="utf-8") for p in folder.rglob("*.csv"))
    everything += "".join(str(pq.read_table(p).to_pylist()) for p in folder.rglob("*.parquet"))
    assert not any(number in everything for number in raw_numbers)

    persons = pq.read_table(folder / "provinsi_51" / "persons.parquet").to_pylist()
    wayan = next(p for p in persons if p["nama"] == "I WAYAN")
    expected = hmac.new(KEY, world.persons[len(HOSTILE_NAMES)].nik.encode(), hashlib.sha256).hexdigest()
    assert wayan["nik_token"] == expected
    assert "nik" not in wayan and "no_kk" not in wayan and wayan["kk_token"]

    cells = _cells(folder)
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert '\'=HYPERLINK("http://x")' in cells and "'-2+3" in cells

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["mode"] == "tokenised" and manifest["authorised_by"] is None
    assert len(manifest["files"]) == 8


def test_without_a_key_nothing_is_exported_and_a_full_export_needs_an_authoriser(
    world: World, warehouse_path: Path, run_1: None, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    with warehouse.connect(warehouse_path, read_only=True) as con:
        with pytest.raises(ExportRefused, match="SEJAHTERA_EXPORT_KEY is not set"):
            export_provinces(con, folder, key=None)
        assert not folder.exists()
        with pytest.raises(ExportRefused, match="authorised_by"):
            export_provinces(con, folder, key=None, full_identifiers=True)
        export_provinces(con, folder, key=None, full_identifiers=True, authorised_by="Kepala Pusdatin")
    persons = pq.read_table(folder / "provinsi_32" / "persons.parquet").to_pylist()
    assert {p["nik"] for p in persons} == {p.nik for p in world.persons[: len(HOSTILE_NAMES)]}
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["authorised_by"] == "Kepala Pusdatin"
    assert not [c for c in _cells(folder) if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_neutralise_only_touches_text_that_starts_like_a_formula() -> None:
    assert [neutralise(v) for v in ("=1", "+1", "-1", "@x", "\tx", "\rx")] == [
        "'=1", "'+1", "'-1", "'@x", "'\tx", "'\rx",
    ]  # fmt: skip
    assert [neutralise(v) for v in ("SITI", "1-2", "", None, 5)] == ["SITI", "1-2", "", None, 5]


@settings(max_examples=60, deadline=None)
@given(
    key=st.binary(min_size=16, max_size=100),
    values=st.lists(st.one_of(st.none(), st.text(max_size=20)), min_size=1, max_size=10),
)
def test_the_sql_token_and_neutralisation_are_the_python_ones(key: bytes, values: list[str | None]) -> None:
    """The export hashes and neutralises inside DuckDB: it must give exactly what the definitions give, for
    keys shorter and longer than SHA-256's block and any text (empty, non-ASCII, formula-like)."""
    values = [v.replace("\x00", "") if v is not None else None for v in values]
    with duckdb.connect() as con:
        con.execute("CREATE TABLE t (i INTEGER, v VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
        rows = con.execute(
            f"SELECT {token_sql('v')}, {neutralised_sql('v')} FROM t ORDER BY i", hmac_pads(key)
        ).fetchall()
    assert rows == [(token(key, v), neutralise(v)) for v in values]


def test_the_summary_counts_everything_and_shows_no_personal_data(
    world: World, warehouse_path: Path, run_1: None
) -> None:
    text = registry_summary(warehouse_path)
    assert "7 living, 1 dead" in text
    assert "2 in 2 provinces; 2 ranked" in text
    assert "Drops          applied 4" in text
    assert "Quarantined    1 rows; broken rules: invalid_date 1" in text
    assert "person entered" in text and "household entered" in text
    assert "Eligible       PKH 1 · BPNT 1 · PBI 1" in text
    assert "inclusion: above_cutoff 1, inclusion: dead_listed 1" in text
    personal = (
        {p.nik for p in world.persons} | {p.nama for p in world.persons} | {h.no_kk for h in world.households}
    )
    assert not any(value in text for value in personal if len(value) > 3)
    assert "Exports        none yet (SEJAHTERA_EXPORT_KEY sets the key" in text
    assert registry_summary(warehouse_path.parent / "none.duckdb").startswith("No registry published yet")


def test_the_summary_says_where_the_latest_exports_are(
    world: World, warehouse_path: Path, run_1: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = warehouse_path.parent / "exports"
    monkeypatch.delenv("SEJAHTERA_EXPORTS", raising=False)
    with warehouse.connect(warehouse_path, read_only=True) as con:
        export_provinces(con, folder, key=KEY, run_id="run-1")
    assert f"  Exports        2 provinces, tokenised, in {folder} (run run-1)" in registry_summary(
        warehouse_path
    )
