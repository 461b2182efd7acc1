"""Matching a delivered file's column names to its entity's declaration, the same way for CSV and Parquet.

Agencies' headers vary in case and carry stray whitespace or a byte-order mark; the declaration spells each
column once. Every warehouse table uses the lower-cased, trimmed name.
"""

from __future__ import annotations

from collections import Counter

from assets.extract.outcome import FileRejected
from sejahtera.sources import EntitySpec

LINEAGE_COLUMNS = ("source", "drop_id", "file", "row_number")
"""The columns extract puts first in every raw table (docs/architecture.md)."""

UNDECODED_SUFFIX = "__undecoded"
"""Suffix of the raw column holding, as text, the delivered values of a Parquet date or code column that did not
decode as the declared type (NULL where they did): the gate quarantines those rows (parquet_reader.py)."""

RENAMED_PREFIX = "delivered_"
"""Prefix of an extra delivered column whose name would collide with a lineage column."""


def normalise_header(file_name: str, names: list[str]) -> list[str]:
    """Lower-cased, trimmed column names; a BOM before the first is dropped.

    Rejects a header with an unnamed column or a name that appears twice: either makes it ambiguous which
    values belong to which column.
    """
    keys = []
    for position, name in enumerate(names, start=1):
        key = name.lstrip("\ufeff").strip().lower()
        if not key:
            raise FileRejected(f"{file_name}: header: column #{position} has no name")
        keys.append(key)
    repeated = sorted(k for k, n in Counter(keys).items() if n > 1)  # linear: headers may have 40,000 names
    if repeated:
        raise FileRejected(f"{file_name}: header: column {repeated[0]} appears more than once")
    return [
        f"{RENAMED_PREFIX}{k}" if k in LINEAGE_COLUMNS else k for k in keys
    ]  # an extra column never shadows lineage


def require_columns(file_name: str, spec: EntitySpec, keys: list[str]) -> None:
    """Rejects a file lacking a required column of its entity (extra columns are fine and kept)."""
    present = set(keys)
    missing = [c.name for c in spec.required_columns if c.key not in present]
    if missing:
        raise FileRejected(f"{file_name}: required column(s) missing: {', '.join(missing)}")
