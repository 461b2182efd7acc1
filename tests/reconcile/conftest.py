"""Fixtures of the reconcile stage's tests: a linkage model trained once per session, snapshot builders."""

import pytest
from support.snapshots import Snapshots, training_population

from assets.reconcile import standardise
from assets.reconcile.config import LinkageConfig
from assets.reconcile.linkage import TrainedModel
from assets.reconcile.model_store import train_on_person_records
from sejahtera import warehouse


@pytest.fixture(scope="session")
def linkage_config() -> LinkageConfig:
    return LinkageConfig.load()


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> TrainedModel:
    """A model trained once per session on ``training_population`` (real Splink training, small sizes)."""
    path = training_population(households=150, seed=7).write(
        tmp_path_factory.mktemp("training") / "wh.duckdb"
    )
    with warehouse.connect(path) as con:
        standardise.build_records(con)
        return train_on_person_records(con, LinkageConfig.load())


@pytest.fixture
def snapshots() -> Snapshots:
    return Snapshots()
