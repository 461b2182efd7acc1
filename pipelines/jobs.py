"""The jobs: ``nightly`` (the whole graph, launched by the schedule, the drop sensor and ``sejahtera run``) and
``train_linkage_model`` (retrains the Splink model on demand)."""

from __future__ import annotations

import dagster as dg

LINKAGE_MODEL = dg.AssetKey("linkage_model")

nightly_job = dg.define_asset_job(
    name="nightly",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(LINKAGE_MODEL),
    description="Process every complete drop not yet processed, reconcile, rank and publish the registry.",
    executor_def=dg.in_process_executor,
)

train_linkage_model_job = dg.define_asset_job(
    name="train_linkage_model",
    selection=dg.AssetSelection.assets(LINKAGE_MODEL),
    description="Retrain the Splink person-linkage model on the current snapshots and store it for nightly runs.",
    executor_def=dg.in_process_executor,
)
