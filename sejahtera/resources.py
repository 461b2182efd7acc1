"""Resources every asset shares: the DuckDB warehouse, the landing zone (configured from the environment) and
the rule files.

They are resources (not module constants) so that tests and production swap paths without code changes: a test
builds them on tmp paths, production points the environment at its own disk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import dagster as dg
import duckdb

from sejahtera import warehouse
from sejahtera.failures import PermanentFailure
from sejahtera.rule_config import CONFIG_DIR, ConfigError
from sejahtera.settings import Settings

T = TypeVar("T")


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB file the registry is published to (``SEJAHTERA_WAREHOUSE``)."""

    path: str

    @property
    def file(self) -> Path:
        return Path(self.path)

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect(self.file, read_only=read_only) as con:
            yield con

    def has_work(self, run_id: str) -> bool:
        """Whether ``run_id`` opened a work area, i.e. whether this run found new drops to process."""
        return warehouse.run_has_work(self.file, run_id)


class LandingZoneResource(dg.ConfigurableResource):
    """The folder agencies deliver drops into (``SEJAHTERA_LANDING``): ``<source>/<drop_id>/manifest.json``."""

    root: str

    @property
    def path(self) -> Path:
        return Path(self.root)


class RulesResource(dg.ConfigurableResource):
    """The folder of versioned rule files (``config/``: quality threshold, linkage, PMT weights, eligibility,
    survivorship), read with :func:`sejahtera.rule_config.read_rule_file` by the stage that owns each file."""

    folder: str = str(CONFIG_DIR)

    def file(self, name: str) -> Path:
        """The path of one rule file, e.g. ``rules.file("eligibility.yaml")``."""
        return Path(self.folder) / name

    def read(self, loader: Callable[[Path], T], name: str) -> T:
        """``loader(file)`` for one rule file; a broken file fails the step at once, since a retry reads it again."""
        try:
            return loader(self.file(name))
        except ConfigError as exc:
            raise PermanentFailure(str(exc)) from None


def build_resources(settings: Settings | None = None) -> dict[str, dg.ConfigurableResource]:
    settings = settings or Settings.from_env()
    return {
        "warehouse": WarehouseResource(path=str(settings.warehouse)),
        "landing": LandingZoneResource(root=str(settings.landing)),
        "rules": RulesResource(),
    }
