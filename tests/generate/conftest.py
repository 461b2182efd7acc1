"""Small generated landing zones, made once per test session (the generator is deterministic, so sharing is safe)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.generated_zone import CHUNKED_ZONE_CHUNK, DEFAULT_HOUSEHOLDS

from sejahtera.generate import NoiseConfig, generate_landing_zone


@pytest.fixture(scope="session")
def default_zone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated") / "landing"
    generate_landing_zone(root, DEFAULT_HOUSEHOLDS, seed=20261127)
    return root


@pytest.fixture(scope="session")
def chunked_zone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default zone's size and seed written four chunks at a time: the contract and truth tests run on it too."""
    root = tmp_path_factory.mktemp("chunked") / "landing"
    generate_landing_zone(root, DEFAULT_HOUSEHOLDS, seed=20261127, chunk_households=CHUNKED_ZONE_CHUNK)
    return root


@pytest.fixture(scope="session")
def noisy_zone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three times the default noise: every kind of noise and defect occurs, still well below 20 % per drop."""
    root = tmp_path_factory.mktemp("noisy") / "landing"
    generate_landing_zone(root, 500, seed=5, noise=NoiseConfig.default().scaled(3))
    return root


@pytest.fixture(scope="session")
def clean_zone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("clean") / "landing"
    generate_landing_zone(root, 300, seed=3, noise=NoiseConfig.none())
    return root
