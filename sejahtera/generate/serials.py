"""Serial numbers of NIKs and KKs that stay unique when the population is generated chunk by chunk.

An NIK or KK ends in a 4-digit serial, unique among the numbers sharing its first twelve digits (the stem:
district and date). Each chunk of households draws a random first serial for a stem it is the first to use and
numbers its people from there; a stem that an earlier chunk already used continues where that chunk stopped.
Only the stems and their next free serial are kept (a few bytes per stem), never the numbers themselves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FIRST_SERIAL_RANGE = (1, 40)
"""A stem's first serial is drawn from this range (upper bound excluded), so serials do not all start at 0001."""


class SerialBook:
    """The next free serial of every stem used so far, as two sorted numpy arrays (stems as 12-digit integers)."""

    def __init__(self, what: str, highest: int) -> None:
        self.what = what
        self.highest = highest
        """The largest serial this book may hand out (NIK serials above it are kept for unknown NIKs)."""
        self._stems = np.empty(0, dtype=np.int64)
        self._next = np.empty(0, dtype=np.int64)

    def serials(self, rng: np.random.Generator, stems: pd.Series) -> pd.Series:
        """A 4-digit serial per row of ``stems``, unique within each stem across every call, never 0000."""
        rank = stems.groupby(stems, sort=False).cumcount().to_numpy()
        codes, uniques = pd.factorize(stems)
        start = rng.integers(*FIRST_SERIAL_RANGE, len(uniques))
        keys = np.asarray(uniques, dtype=object).astype(np.int64)
        where = np.searchsorted(self._stems, keys)
        seen = where < self._stems.size
        seen[seen] = self._stems[where[seen]] == keys[seen]
        start[seen] = self._next[where[seen]]
        serial = start[codes] + rank
        if serial.max(initial=0) > self.highest:
            raise ValueError(
                f"more than {self.highest - FIRST_SERIAL_RANGE[1]:,} {self.what} share one district and date: "
                f"their serials would pass {self.highest:04d}"
            )
        following = start + np.bincount(codes, minlength=len(uniques))
        self._next[where[seen]] = following[seen]
        stems_all = np.concatenate([self._stems, keys[~seen]])
        next_all = np.concatenate([self._next, following[~seen]])
        order = np.argsort(stems_all, kind="stable")
        self._stems, self._next = stems_all[order], next_all[order]
        return pd.Series(serial, index=stems.index).astype(str).str.zfill(4)
