"""Fixtures of the registry stage's tests: a hand-made world written as upstream work tables in a tmp warehouse."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from registry_world import UPSTREAM_PUBLICATIONS, World

from assets.registry.eligibility import build_eligibility
from assets.registry.publish import PublishOutcome, publish_run, run_state
from assets.registry.survivorship import build_survivors
from assets.registry.targeting import build_targeting_errors
from assets.registry.welfare import build_welfare
from sejahtera import warehouse

RunRegistry = Callable[..., PublishOutcome]


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse" / "sejahtera.duckdb"


def build_registry_steps(path: Path) -> None:
    """The registry steps before publish, as the Dagster assets run them."""
    with warehouse.connect(path) as con:
        build_survivors(con)
        build_welfare(con)
        build_eligibility(con)
        build_targeting_errors(con)


@pytest.fixture
def run_registry(warehouse_path: Path) -> RunRegistry:
    """Write ``world`` as run ``run_id``'s upstream work tables, run the registry steps and publish."""

    def run(world: World, run_id: str, *, applied: bool = True) -> PublishOutcome:
        with warehouse.connect(warehouse_path) as con:
            world.write(con, run_id, applied=applied)
        if applied:
            build_registry_steps(warehouse_path)
        with warehouse.connect(warehouse_path) as con:
            return publish_run(con, run_state(con, run_id), UPSTREAM_PUBLICATIONS, [])

    return run
