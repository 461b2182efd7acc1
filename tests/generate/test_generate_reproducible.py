"""Same arguments, same bytes; another seed, another country; the report names no person."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from sejahtera.generate import NoiseConfig, generate_landing_zone


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_arguments_write_byte_identical_files(tmp_path: Path) -> None:
    generate_landing_zone(tmp_path / "a", 150, seed=9)
    generate_landing_zone(tmp_path / "b", 150, seed=9)
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert len(a) == 23
    assert a.keys() == b.keys()
    assert [name for name in a if a[name] != b[name]] == []


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    generate_landing_zone(tmp_path / "a", 100, seed=1)
    generate_landing_zone(tmp_path / "b", 100, seed=2)
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert a["dukcapil/20261120/penduduk.parquet"] != b["dukcapil/20261120/penduduk.parquet"]


def test_drop_ids_follow_as_of(tmp_path: Path) -> None:
    generate_landing_zone(tmp_path, 60, seed=4, as_of=date(2027, 3, 10))
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.glob("*/2*")) == [
        "dtks/20270226",
        "dukcapil/20270303",
        "dukcapil/20270304",
        "dukcapil/20270307",
        "dukcapil/20270310",
        "p3ke/20270112",
        "regsosek/20261227",
    ]


def test_report_counts_files_and_names_no_person(tmp_path: Path) -> None:
    report = generate_landing_zone(tmp_path, 120, seed=6)
    assert "dtks/20261115 (full): keluarga.csv" in report
    assert "dukcapil/20261121 (delta): peristiwa.csv" in report
    assert re.search(r"done in \d+\.\d s", report)
    assert not re.search(r"\d{16}", report), "no NIK or KK in the report"
    names = pd.read_parquet(tmp_path / "dukcapil" / "20261120" / "penduduk.parquet")["nama_lengkap"]
    assert not any(name in report for name in names if len(name) > 3)


def test_noise_that_would_get_drops_rejected_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="would break row rules"):
        generate_landing_zone(tmp_path, 200, seed=1, noise=NoiseConfig.default().scaled(30))
    assert not (tmp_path / "dtks").exists(), "nothing is written when the noise is refused"


def test_households_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        generate_landing_zone(tmp_path, 0, seed=1)
