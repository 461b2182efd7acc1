"""Kemendagri region codes, 2022 and 2025 decrees (``reference/``, MIT licence, see its README).

A code is valid when it is in either list: retired 2022 codes stay valid and are kept as delivered, and an NIK's
district prefix is checked against every historical district code (domain.md). Never join on place names.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import duckdb

from sejahtera import RULES_ROOT
from sejahtera.engine import connect_memory

if TYPE_CHECKING:
    import pandas as pd

REFERENCE_DIR = RULES_ROOT / "reference"
DECREES = {
    "2022": REFERENCE_DIR / "wilayah_kemendagri_2022.csv.gz",
    "2025": REFERENCE_DIR / "wilayah_kemendagri_2025.csv.gz",
}
LEVEL_DIGITS = {"provinsi": 2, "kabupaten_kota": 4, "kecamatan": 6, "desa_kelurahan": 10}


@dataclass(frozen=True)
class RegionCodes:
    """Valid codes per level (union of both decrees), and the newest name of each code."""

    provinces: frozenset[str]
    regencies: frozenset[str]
    districts: frozenset[str]
    villages: frozenset[str]
    names: dict[str, str]

    def name_of(self, code: str) -> str | None:
        return self.names.get(code)


@lru_cache(maxsize=1)
def region_table() -> pd.DataFrame:
    """One row per (code, decree): ``kode_digits``, ``tingkat``, ``nama``, ``decree``."""
    import pandas as pd  # here, not at the top: a run's summary needs no pandas (province_names)

    frames = []
    for decree, path in DECREES.items():
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame["decree"] = decree
        frames.append(frame[["kode_digits", "tingkat", "nama", "decree"]])
    return pd.concat(frames, ignore_index=True)


@lru_cache(maxsize=1)
def region_codes() -> RegionCodes:
    table = region_table()
    by_level = {
        level: frozenset(table.loc[table["tingkat"] == level, "kode_digits"]) for level in LEVEL_DIGITS
    }
    # Later decrees win for names: sort so 2025 rows come last and overwrite 2022 ones.
    ordered = table.sort_values("decree")
    names = dict(zip(ordered["kode_digits"], ordered["nama"], strict=True))
    return RegionCodes(
        provinces=by_level["provinsi"],
        regencies=by_level["kabupaten_kota"],
        districts=by_level["kecamatan"],
        villages=by_level["desa_kelurahan"],
        names=names,
    )


@lru_cache(maxsize=1)
def province_names() -> dict[str, str]:
    """Province code -> its newest name: what a summary line needs, read by DuckDB from the decrees alone.

    Every ``sejahtera run`` prints a summary naming provinces; building :func:`region_codes` for that (all
    ~90 000 codes of both decrees, through pandas) was a second of every run.
    """
    names: dict[str, tuple[str, str]] = {}
    with connect_memory() as con:
        for decree, path in DECREES.items():
            rows = con.execute(
                "SELECT kode_digits, nama FROM read_csv(?, all_varchar = true) WHERE tingkat = 'provinsi'",
                [str(path)],
            ).fetchall()
            for code, name in rows:
                if code not in names or decree > names[code][0]:  # later decrees win, as in region_codes
                    names[code] = (decree, name)
    return {code: name for code, (_, name) in names.items()}


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``ref.region`` (``kode``, ``tingkat``, ``nama``, ``in_2022``, ``in_2025``) if it is not there yet."""
    con.execute("CREATE SCHEMA IF NOT EXISTS ref")
    present = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'ref' AND table_name = 'region' "
        "AND table_catalog = current_database()"
    ).fetchall()[0][0]
    if present:
        return
    table = region_table()
    con.register("_region_reference", table)
    con.execute(
        """
        CREATE TABLE ref.region AS
        SELECT kode_digits AS kode,
               any_value(tingkat) AS tingkat,
               arg_max(nama, decree) AS nama,
               bool_or(decree = '2022') AS in_2022,
               bool_or(decree = '2025') AS in_2025
        FROM _region_reference
        GROUP BY kode_digits
        ORDER BY kode_digits
        """
    )
    con.unregister("_region_reference")
