"""The data-quality gate's settings, read from ``config/quality.yaml`` (versioned with the code)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from sejahtera import RULES_ROOT

QUALITY_CONFIG = RULES_ROOT / "config" / "quality.yaml"


class QualityConfigError(ValueError):
    """``quality.yaml`` is missing a setting or holds one that makes no sense."""


@dataclass(frozen=True)
class QualityConfig:
    max_failing_row_share: float
    """A drop is rejected whole when MORE than this share of all its rows (every file) fail row rules."""


def load_quality_config(path: Path = QUALITY_CONFIG) -> QualityConfig:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise QualityConfigError(f"{path}: cannot be read as YAML ({type(exc).__name__})") from None
    share = data.get("max_failing_row_share") if isinstance(data, dict) else None
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise QualityConfigError(
            f"{path}: max_failing_row_share must be a number between 0 and 1, got {share!r}"
        )
    return QualityConfig(max_failing_row_share=float(share))
