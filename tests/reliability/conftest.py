"""Shared set-up of the reliability tests: a Dagster instance made from the project's own deploy/dagster.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from sejahtera import PROJECT_ROOT


def make_instance_home(folder: Path) -> Path:
    """A DAGSTER_HOME with the local instance config, its storage created now (two processes creating it race)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PROJECT_ROOT / "deploy" / "dagster.yaml", folder / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(folder)):
        pass
    return folder


@pytest.fixture
def instance_home(tmp_path: Path) -> Path:
    return make_instance_home(tmp_path / "dagster_home")
