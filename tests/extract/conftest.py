"""Fixtures of the extract tests: a tmp landing zone, and the real extract assets run on it with Dagster
(the helpers behind them: ``tests/support/extract_harness.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from support.extract_harness import Extract, LandingZone


@pytest.fixture
def landing_zone(tmp_path: Path) -> LandingZone:
    root = tmp_path / "landing"
    root.mkdir()
    return LandingZone(root)


@pytest.fixture
def extract(landing_zone: LandingZone, tmp_path: Path) -> Iterator[Extract]:
    with dg.DagsterInstance.ephemeral() as instance:
        yield Extract(
            landing=landing_zone, warehouse=tmp_path / "warehouse" / "sejahtera.duckdb", instance=instance
        )
