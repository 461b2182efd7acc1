"""Fixtures of the registry stage's tests: a hand-made world written as upstream work tables in a tmp warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.registry_world import UPSTREAM_PUBLICATIONS, RunRegistry, World, build_registry_steps

from assets.registry.publish import PublishOutcome, publish_run, run_state
from sejahtera import warehouse


@pytest.fixture
def world() -> World:
    return World()


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
