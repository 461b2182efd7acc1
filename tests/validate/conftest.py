"""Fixtures of the validate stage's tests: a tmp warehouse whose work area looks as extract leaves it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.work_area import WorkArea


@pytest.fixture
def work_area(tmp_path: Path) -> Iterator[WorkArea]:
    yield WorkArea(tmp_path / "warehouse" / "test.duckdb")


@pytest.fixture
def work_area_factory(tmp_path_factory: pytest.TempPathFactory):
    """Fresh work areas inside one test (hypothesis runs many examples per test function)."""

    def make() -> WorkArea:
        return WorkArea(tmp_path_factory.mktemp("area") / "warehouse" / "test.duckdb")

    return make
