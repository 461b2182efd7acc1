"""Where sejahtera reads drops from and writes the warehouse to, from the environment (contract section 5).

Defaults are relative to the current directory so that a fresh checkout works with no set-up:
``data/landing`` and ``data/warehouse/sejahtera.duckdb``. The warehouse file is deliberately not named after one
of its schemas (``registry.duckdb`` would make ``registry.person`` ambiguous).

The Dagster instance defaults to ``dagster_home`` beside the warehouse file (an absolute path): the instance's
``warehouse`` pool is what keeps two runs off one DuckDB file, so one warehouse must have exactly one instance,
whichever directory a run is started from. A default relative to the current directory gave two shells two
instances over the same warehouse, and each would let its own run in.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sejahtera import RULES_ROOT

DEFAULT_LANDING = Path("data/landing")
DEFAULT_WAREHOUSE = Path("data/warehouse/sejahtera.duckdb")
DAGSTER_HOME_BESIDE_WAREHOUSE = "dagster_home"
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

        warehouse = path("SEJAHTERA_WAREHOUSE", DEFAULT_WAREHOUSE)
        return cls(
            landing=path("SEJAHTERA_LANDING", DEFAULT_LANDING),
            warehouse=warehouse,
            dagster_home=path("DAGSTER_HOME", warehouse.parent / DAGSTER_HOME_BESIDE_WAREHOUSE),
        )


def env_choice(var: str, choices: Sequence[str], error: type[Exception]) -> str:
    """The one of ``choices`` the environment variable ``var`` names (case and spacing ignored; the first choice
    when unset). Read at each call, so a process picks up the operator's change; anything else raises ``error``
    with a one-line message naming the variable and what it may be."""
    value = os.environ.get(var, "").strip().lower() or choices[0]
    if value not in choices:
        raise error(f"{var}={value!r}: must be one of {', '.join(choices)}")
    return value


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
