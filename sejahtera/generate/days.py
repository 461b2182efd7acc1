"""Dates as integer day numbers (days since 1970-01-01) so that hundreds of thousands of them are handled as numpy
arrays, and their formatting in each agency's own style."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

NO_DAY = np.iinfo(np.int32).max
"""Stands for "never" (no death, no split): later than any real day, so ``day <= t`` comparisons stay simple."""


def day(d: date) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of each day number."""
    dt = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    years = dt.astype("datetime64[Y]").astype(np.int64) + 1970
    months = dt.astype("datetime64[M]").astype(np.int64) % 12 + 1
    mdays = (dt - dt.astype("datetime64[M]")).astype(np.int64) + 1
    return years, months, mdays


def _pad(values: np.ndarray, width: int) -> pd.Series:
    return pd.Series(values).astype(str).str.zfill(width)


def format_days(days: np.ndarray, style: str) -> np.ndarray:
    """Format day numbers: ``"%d-%m-%Y"`` (DTKS), ``"%d/%m/%Y"`` (P3KE) or ``"%Y-%m-%d"`` (Dukcapil deltas)."""
    if len(days) == 0:
        return np.array([], dtype=object)
    y, m, d = ymd(days)
    ys, ms, ds = _pad(y, 4), _pad(m, 2), _pad(d, 2)
    if style == "%d-%m-%Y":
        out = ds + "-" + ms + "-" + ys
    elif style == "%d/%m/%Y":
        out = ds + "/" + ms + "/" + ys
    elif style == "%Y-%m-%d":
        out = ys + "-" + ms + "-" + ds
    else:
        raise ValueError(f"unknown date style {style}")
    return out.to_numpy(dtype=object)


def format_parts(y: int, m: int, d: int, style: str) -> str:
    """One date from its parts, which need not form a real date (``31-02-1980``): used to write broken dates."""
    if style == "%d-%m-%Y":
        return f"{d:02d}-{m:02d}-{y:04d}"
    if style == "%d/%m/%Y":
        return f"{d:02d}/{m:02d}/{y:04d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


def to_date32(days: np.ndarray) -> np.ndarray:
    """Day numbers as numpy dates (for Parquet ``date32``)."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]")
