"""The data-quality gate's settings, read from ``quality.yaml`` in the rule folder (versioned with the code)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sejahtera.rule_config import CONFIG_DIR, ConfigError, read_rule_file

QUALITY_FILE = "quality.yaml"


@dataclass(frozen=True)
class QualityConfig:
    max_failing_row_share: float
    """A drop is rejected whole when MORE than this share of all its rows (every file) fail row rules."""


def load_quality_config(path: Path = CONFIG_DIR / QUALITY_FILE) -> QualityConfig:
    share = read_rule_file(path).get("max_failing_row_share")
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise ConfigError(f"{path}: max_failing_row_share must be a number between 0 and 1, got {share!r}")
    return QualityConfig(max_failing_row_share=float(share))
