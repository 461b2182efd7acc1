"""Reading a warehouse file the way a test checks what a run wrote: read-only, one connection per question."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sejahtera import warehouse


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    """The rows of ``sql`` on the DuckDB file at ``path`` (opened read-only, so a bug cannot change it)."""
    with warehouse.connect(path, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def frame(path: Path, sql: str, params: list | None = None) -> pd.DataFrame:
    """The result of ``sql`` on the DuckDB file at ``path`` as a DataFrame."""
    with warehouse.connect(path, read_only=True) as con:
        return con.execute(sql, params or []).df()
