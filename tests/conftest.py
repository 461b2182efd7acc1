"""Fixtures every test folder may use; the helpers behind them live in ``tests/support/``.

Everything a test writes goes under its own ``tmp_path`` (or a ``tmp_path_factory`` dir for shared, read-only
data), never under the checkout or a fixed path, so that tests run in any order and in parallel
(``pytest -n 2``): under pytest-xdist every worker builds its own session fixtures in its own base temp dir.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("sejahtera", deadline=None)
settings.load_profile("sejahtera")
"""Property tests judge behaviour, never speed (speed is `make bench`'s): hypothesis's per-example deadline
failed them on a loaded 2-core machine (a first call importing a module, parallel workers)."""


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    """Where a test's warehouse file goes (not created: the code under test creates it)."""
    return tmp_path / "warehouse" / "sejahtera.duckdb"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Schedule the end-to-end tests (marked ``slow``) for ``pytest -n`` (``--dist loadgroup``, the Makefile's).

    Each slow module is one xdist group, so its module and session fixtures (a generated zone, a reference run:
    30-140 s each) are built by one worker instead of by both. Slow tests go first, so the last minutes are
    quick tests that keep both workers busy rather than one long run that leaves the other idle.
    """
    for item in items:
        if item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
