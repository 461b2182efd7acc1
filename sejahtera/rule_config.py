"""The one reader of the versioned rule files in ``config/`` (YAML): every stage's rules are read by it.

A rule file that is missing, unreadable or not a YAML mapping stops the run with one line naming the file and
the problem (never a stack trace); what each file must hold is checked by the stage that owns it, on top of
this. Which folder is read is the ``rules`` resource's (``sejahtera.resources.RulesResource``), so tests and
deployments point at their own rules without patching any loader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sejahtera import RULES_ROOT

CONFIG_DIR = RULES_ROOT / "config"
"""The rule files versioned with the code."""


class ConfigError(ValueError):
    """A rule file is missing, malformed or inconsistent; the message names the file and the problem."""


def read_rule_file(path: Path) -> dict[str, Any]:
    """The mapping a rule file holds."""
    if not path.exists():
        raise ConfigError(f"{path}: rule file missing")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot be read as YAML ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a mapping of settings")
    return data
