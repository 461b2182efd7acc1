"""Fixtures every test folder may use; the helpers behind them live in ``tests/support/``.

Everything a test writes goes under its own ``tmp_path`` (or a ``tmp_path_factory`` dir for shared, read-only
data), never under the checkout or a fixed path, so that tests run in any order and in parallel
(``pytest -n 2``): under pytest-xdist every worker builds its own session fixtures in its own base temp dir.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    """Where a test's warehouse file goes (not created: the code under test creates it)."""
    return tmp_path / "warehouse" / "sejahtera.duckdb"
