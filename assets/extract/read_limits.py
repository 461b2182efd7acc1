"""How much of a delivery extract is willing to read, from ``quality.yaml`` in the rule folder (``read_limits``).

A landing zone is written by four agencies' tools and by whoever gets hold of their credentials: a gzip that
expands a thousandfold, a CSV field of gigabytes, a Parquet footer announcing a million columns. Every reader
checks these limits while it streams (or, for Parquet, from the footer before reading any data), so a hostile
file costs at most the limit, and the drop is rejected with a reason that names the limit to raise if the
delivery was genuine.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from sejahtera.resources import RulesResource
from sejahtera.rule_config import CONFIG_DIR, ConfigError, read_rule_file

QUALITY_FILE = "quality.yaml"
QUALITY_CONFIG = CONFIG_DIR / QUALITY_FILE
SECTION = "read_limits"


class ReadLimitsError(ConfigError):
    """``quality.yaml`` lacks a read limit or holds one that is not a positive whole number."""


@dataclass(frozen=True)
class ReadLimits:
    max_manifest_bytes: int
    """A manifest is a few kilobytes; anything far bigger is not one."""
    max_file_bytes: int
    """Bytes of one data file after decompression (a gzip or Parquet file's uncompressed size)."""
    max_gzip_ratio: int
    """Decompressed bytes per compressed byte beyond which a ``.gz`` file is a bomb, not data."""
    max_field_chars: int
    """Characters in one CSV field (Python's csv module stops at 131,072 by default)."""
    max_columns: int
    """Columns of one data file."""
    max_parquet_footer_bytes: int
    """Bytes of a Parquet file's footer (its schema and row-group metadata), read before any data."""

    def describe(self, name: str) -> str:
        """How a reason names a limit: where to raise it when a genuine delivery exceeds it."""
        return f"{SECTION}.{name} = {getattr(self, name):,} in config/quality.yaml"


def load_read_limits(path: Path = QUALITY_CONFIG) -> ReadLimits:
    """The limits in ``path``; every one must be given (there is one place that says what they are)."""
    section = read_rule_file(path).get(SECTION)
    if not isinstance(section, dict):
        raise ReadLimitsError(f"{path}: section {SECTION} is missing")
    values = {}
    for field in fields(ReadLimits):
        value = section.get(field.name)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ReadLimitsError(
                f"{path}: {SECTION}.{field.name} must be a positive whole number, got {value!r}"
            )
        values[field.name] = value
    return ReadLimits(**values)


def read_limits(rules: RulesResource | None = None) -> ReadLimits:
    """The limits of the run's rule folder, read as every rule file is (``RulesResource.read``: a broken file fails
    the step without a retry). Without ``rules``, the project's ``config/`` (a reader called outside a run)."""
    return (rules or RulesResource()).read(load_read_limits, QUALITY_FILE)
