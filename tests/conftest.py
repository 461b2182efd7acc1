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
    """Order the suite for ``pytest -n`` (``--dist loadfile``, the Makefile's): end-to-end modules (marked
    ``slow``) first.

    ``loadfile`` gives each worker whole files, so a module's fixtures (a generated zone, a reference run: 30-140 s
    each) are built once rather than by both workers. Slow files first leaves quick tests for the last minutes,
    so no worker idles while the other finishes one long run. (``--dist loadgroup`` would group finer, but
    pytest-xdist 3.8 cannot rename pytest 9's node ids and silently schedules it like ``load``.)
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
