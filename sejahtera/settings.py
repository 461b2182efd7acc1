"""Where sejahtera reads drops from and writes the warehouse to, from the environment (contract section 5).

Defaults are relative to the current directory so that a fresh checkout works with no set-up:
``data/landing``, ``data/warehouse/sejahtera.duckdb`` and ``.dagster_home``. The warehouse file is deliberately
not named after one of its schemas (``registry.duckdb`` would make ``registry.person`` ambiguous).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from sejahtera import RULES_ROOT

DEFAULT_LANDING = Path("data/landing")
DEFAULT_WAREHOUSE = Path("data/warehouse/sejahtera.duckdb")
DEFAULT_DAGSTER_HOME = Path(".dagster_home")
INSTANCE_TEMPLATE = RULES_ROOT / "deploy" / "dagster.yaml"


@dataclass(frozen=True)
class Settings:
    landing: Path
    warehouse: Path
    dagster_home: Path

    @classmethod
    def from_env(cls) -> Settings:
        def path(var: str, default: Path) -> Path:
            value = os.environ.get(var, "").strip()
            return Path(value).expanduser().resolve() if value else default.resolve()

        return cls(
            landing=path("SEJAHTERA_LANDING", DEFAULT_LANDING),
            warehouse=path("SEJAHTERA_WAREHOUSE", DEFAULT_WAREHOUSE),
            dagster_home=path("DAGSTER_HOME", DEFAULT_DAGSTER_HOME),
        )


def ensure_dagster_home(settings: Settings) -> Path:
    """Create the Dagster instance folder with the project's ``dagster.yaml`` if it has none yet.

    Dagster refuses to start on a DAGSTER_HOME that does not exist; copying the template (never overwriting an
    operator's own file) gives the CLI and ``make ui`` the same instance, so runs show in one history.
    """
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    if not target.exists() and INSTANCE_TEMPLATE.exists():
        shutil.copyfile(INSTANCE_TEMPLATE, target)
    os.environ["DAGSTER_HOME"] = str(home)
    return home
